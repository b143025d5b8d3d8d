# Registering live-GUI test binaries with livegui (docs/adopting.md).
#
# Installed with the package (find_package(livegui) includes it) and usable
# in the livegui tree: include(${PROJECT_SOURCE_DIR}/cmake/LiveguiTesting.cmake).
#
#   livegui_add_live_test(<target>
#     SOURCES <file>...                 the test binary's sources (with its main())
#     [TIER <name>]                     tier of the plan (default: live_gui)
#     [PLAN <file>]                     plan to add the binary to (default: livegui-plan.toml;
#                                       relative paths are relative to CMAKE_BINARY_DIR)
#     [XFAIL <gtest pattern>...]        tests expected to fail (the plan's `xfail`)
#     [TIMEOUT <duration>]              the entry's timeout ("120s", "2min")
#     [AUT_EXECUTABLE <target | absolute path>]   (a target must be defined before this call)
#     [AUT_ARGS <arg>...]
#     [AUT_SETTINGS <"key = value">...] more keys of the tier's `aut` table, as TOML
#                                       (e.g. "display = \"xvfb\"", "token = \"s3cret\"")
#     [LIBRARIES <library>...])         linked besides livegui::gtest
#
# builds <target> from SOURCES linking livegui::gtest (the binary's main()
# calls livegui::init; see harness/gtest_integration.hpp) and adds it to the
# plan as one [[tiers.entries]] of its tier. With AUT_EXECUTABLE the binary
# gets the compile definition LIVEGUI_AUT_EXECUTABLE="<absolute path>" (for
# the AppSpec in its main) and depends on the target, and the tier gets an
# `aut` table { executable, args, settings } — which `livegui-batch` hands to
# every entry of the tier (LIVEGUI_AUT_SPEC) and needs for --aut-scope
# session. All entries of a tier share its AUT: giving a tier two different
# AUTs is an error.
#
# The plan is written at generate time with file(GENERATE), every executable
# as an absolute path, so it can be run from anywhere:
#
#   livegui-batch <build>/livegui-plan.toml [--aut-scope session]
#
# With a multi-config generator one plan per configuration is written, named
# <plan stem>-<config>.toml.
#
#   livegui_add_plan_test(<name> [PLAN <file>] [ARGS <livegui-batch option>...])
#
# registers a CTest test that runs the plan through livegui-batch (report in
# <current binary dir>/<name>-report, state files in <name>-state).
include_guard(GLOBAL)

set(LIVEGUI_DEFAULT_PLAN "livegui-plan.toml")
set(LIVEGUI_DEFAULT_TIER "live_gui")

# TOML basic string: "…" with backslash and double quote escaped. (The batcher
# also expands ${VAR} in plan strings; generated values are paths and args.)
function(_livegui_toml_string out value)
  string(REPLACE "\\" "\\\\" value "${value}")
  string(REPLACE "\"" "\\\"" value "${value}")
  set(${out} "\"${value}\"" PARENT_SCOPE)
endfunction()

function(_livegui_toml_array out)
  set(items "")
  foreach(v IN LISTS ARGN)
    _livegui_toml_string(q "${v}")
    list(APPEND items "${q}")
  endforeach()
  list(JOIN items ", " joined)
  set(${out} "[${joined}]" PARENT_SCOPE)
endfunction()

# The plan's absolute path (without the per-config suffix) and the key under
# which its registrations are kept in global properties.
function(_livegui_plan_path out_path out_key plan)
  if(NOT plan)
    set(plan "${LIVEGUI_DEFAULT_PLAN}")
  endif()
  cmake_path(ABSOLUTE_PATH plan BASE_DIRECTORY "${CMAKE_BINARY_DIR}" NORMALIZE OUTPUT_VARIABLE path)
  string(MAKE_C_IDENTIFIER "${path}" key)
  set(${out_path} "${path}" PARENT_SCOPE)
  set(${out_key} "_livegui_plan_${key}" PARENT_SCOPE)
endfunction()

# The file(GENERATE) output for a plan: per configuration with a multi-config generator.
function(_livegui_plan_output out path)
  get_property(multi GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(multi)
    cmake_path(GET path PARENT_PATH dir)
    cmake_path(GET path STEM stem)
    cmake_path(GET path EXTENSION ext)
    set(path "${dir}/${stem}-$<CONFIG>${ext}")
  endif()
  set(${out} "${path}" PARENT_SCOPE)
endfunction()

function(livegui_add_live_test target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "TIER;PLAN;TIMEOUT;AUT_EXECUTABLE"
                        "SOURCES;XFAIL;AUT_ARGS;AUT_SETTINGS;LIBRARIES")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "livegui_add_live_test(${target}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "livegui_add_live_test(${target}): SOURCES is required (the test binary's sources)")
  endif()
  if((arg_AUT_ARGS OR arg_AUT_SETTINGS) AND NOT arg_AUT_EXECUTABLE)
    message(FATAL_ERROR "livegui_add_live_test(${target}): AUT_ARGS and AUT_SETTINGS need AUT_EXECUTABLE")
  endif()
  if(NOT arg_TIER)
    set(arg_TIER "${LIVEGUI_DEFAULT_TIER}")
  endif()
  if(NOT arg_TIER MATCHES "^[A-Za-z0-9_.-]+$")
    message(FATAL_ERROR "livegui_add_live_test(${target}): TIER \"${arg_TIER}\" must be letters, digits, '_', '.' or '-'")
  endif()

  if(TARGET livegui::gtest)
    set(gtest_layer livegui::gtest)
  else()
    message(FATAL_ERROR "livegui_add_live_test(${target}): no target livegui::gtest "
                        "(find_package(livegui) first; in the livegui tree it needs GoogleTest)")
  endif()
  add_executable(${target} ${arg_SOURCES})
  target_link_libraries(${target} PRIVATE ${gtest_layer} ${arg_LIBRARIES})

  # The tier's AUT table.
  set(aut "")
  if(arg_AUT_EXECUTABLE)
    if(TARGET ${arg_AUT_EXECUTABLE})
      set(exe "$<TARGET_FILE:${arg_AUT_EXECUTABLE}>")
      add_dependencies(${target} ${arg_AUT_EXECUTABLE})
    elseif(IS_ABSOLUTE "${arg_AUT_EXECUTABLE}")
      set(exe "${arg_AUT_EXECUTABLE}")
    else()
      message(FATAL_ERROR "livegui_add_live_test(${target}): AUT_EXECUTABLE \"${arg_AUT_EXECUTABLE}\" "
                          "is neither a target nor an absolute path (the harness needs an absolute executable)")
    endif()
    target_compile_definitions(${target} PRIVATE "LIVEGUI_AUT_EXECUTABLE=\"${exe}\"")
    _livegui_toml_string(exe_toml "${exe}")
    set(aut "executable = ${exe_toml}")
    if(arg_AUT_ARGS)
      _livegui_toml_array(args_toml ${arg_AUT_ARGS})
      string(APPEND aut ", args = ${args_toml}")
    endif()
    foreach(setting IN LISTS arg_AUT_SETTINGS)
      string(APPEND aut ", ${setting}")
    endforeach()
    set(aut "{ ${aut} }")
  endif()

  # The entry.
  _livegui_toml_string(name_toml "${target}")
  _livegui_toml_string(exe_toml "$<TARGET_FILE:${target}>")
  set(entry "[[tiers.entries]]\nname = ${name_toml}\nexecutable = ${exe_toml}\n")
  if(arg_TIMEOUT)
    _livegui_toml_string(timeout_toml "${arg_TIMEOUT}")
    string(APPEND entry "timeout = ${timeout_toml}\n")
  endif()
  if(arg_XFAIL)
    _livegui_toml_array(xfail_toml ${arg_XFAIL})
    string(APPEND entry "xfail = ${xfail_toml}\n")
  endif()

  # Kept in global properties until the plan is written at the end of the
  # top-level directory (so registrations from every directory are in it).
  _livegui_plan_path(plan key "${arg_PLAN}")
  get_property(tiers GLOBAL PROPERTY ${key}_tiers)
  if(NOT tiers)
    _livegui_plan_output(output "${plan}")
    # A deferred call's arguments are evaluated when it runs, so bake them in.
    cmake_language(EVAL CODE
      "cmake_language(DEFER DIRECTORY [[${CMAKE_SOURCE_DIR}]] CALL _livegui_write_plan [[${key}]] [[${output}]])")
  endif()
  if(NOT arg_TIER IN_LIST tiers)
    set_property(GLOBAL APPEND PROPERTY ${key}_tiers "${arg_TIER}")
    set_property(GLOBAL PROPERTY ${key}_${arg_TIER}_aut "${aut}")
    set_property(GLOBAL PROPERTY ${key}_${arg_TIER}_aut_from "${target}")
  elseif(aut)
    get_property(known GLOBAL PROPERTY ${key}_${arg_TIER}_aut)
    get_property(from GLOBAL PROPERTY ${key}_${arg_TIER}_aut_from)
    if(NOT known)
      set_property(GLOBAL PROPERTY ${key}_${arg_TIER}_aut "${aut}")
      set_property(GLOBAL PROPERTY ${key}_${arg_TIER}_aut_from "${target}")
    elseif(NOT known STREQUAL aut)
      message(FATAL_ERROR "livegui_add_live_test(${target}): tier \"${arg_TIER}\" of ${plan} already has the AUT "
                          "${known} (from ${from}); all entries of a tier share one AUT — use another TIER")
    endif()
  endif()
  set_property(GLOBAL APPEND_STRING PROPERTY ${key}_${arg_TIER}_entries "\n${entry}")
endfunction()

# Deferred to the end of the top-level directory: writes one plan.
function(_livegui_write_plan key output)
  set(text "# Generated by livegui_add_live_test() (LiveguiTesting.cmake); do not edit.\n")
  string(APPEND text "# Run it with: livegui-batch <this file> [--aut-scope session]\n")
  get_property(tiers GLOBAL PROPERTY ${key}_tiers)
  foreach(tier IN LISTS tiers)
    get_property(aut GLOBAL PROPERTY ${key}_${tier}_aut)
    get_property(entries GLOBAL PROPERTY ${key}_${tier}_entries)
    string(APPEND text "\n[[tiers]]\nname = \"${tier}\"\nuses_aut = true\n")
    if(aut)
      string(APPEND text "aut = ${aut}\n")
    endif()
    string(APPEND text "${entries}")
  endforeach()
  file(GENERATE OUTPUT "${output}" CONTENT "${text}")
endfunction()

function(livegui_add_plan_test name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "PLAN" "ARGS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "livegui_add_plan_test(${name}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(TARGET livegui::livegui-batch)
    set(batch livegui::livegui-batch)
  elseif(TARGET livegui-batch)
    set(batch livegui-batch)
  else()
    message(FATAL_ERROR "livegui_add_plan_test(${name}): no livegui-batch target (find_package(livegui) first)")
  endif()
  _livegui_plan_path(plan key "${arg_PLAN}")
  _livegui_plan_output(plan "${plan}")
  add_test(NAME ${name}
    COMMAND ${batch} "${plan}"
      --report-dir "${CMAKE_CURRENT_BINARY_DIR}/${name}-report"
      --state-dir "${CMAKE_CURRENT_BINARY_DIR}/${name}-state"
      ${arg_ARGS})
endfunction()
