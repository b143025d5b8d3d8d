# Install rules shared by the modules (this file itself is not installed).
#
# Headers are installed mirroring the repository under
# <prefix>/include/livegui/, which is the installed include directory, so the
# same `#include "harness/app_handle.hpp"` works in-tree and installed.
# Libraries join the export set `liveguiTargets`, which the top-level
# CMakeLists installs with liveguiConfig.cmake (cmake/LiveguiPackage.cmake).
# Included by every module (variables are per directory, so no include guard).
include(GNUInstallDirs)

set(LIVEGUI_INSTALL_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}/livegui")
set(LIVEGUI_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/livegui")

# livegui_install_library(<target> <export name>)
#
# Called at the end of a module's CMakeLists.txt: installs <target> as
# livegui::<export name>.
function(livegui_install_library target export_name)
  # In-tree include directories are absolute source paths, valid only in the
  # build tree; installed, the include directory is include/livegui.
  get_target_property(dirs ${target} INTERFACE_INCLUDE_DIRECTORIES)
  if(dirs)
    set(wrapped "")
    foreach(dir IN LISTS dirs)
      if(dir MATCHES "^\\$<")
        list(APPEND wrapped "${dir}")
      else()
        list(APPEND wrapped "$<BUILD_INTERFACE:${dir}>")
      endif()
    endforeach()
    set_property(TARGET ${target} PROPERTY INTERFACE_INCLUDE_DIRECTORIES "${wrapped}")
  endif()
  set_property(TARGET ${target} PROPERTY EXPORT_NAME ${export_name})
  install(TARGETS ${target} EXPORT liveguiTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    INCLUDES DESTINATION ${LIVEGUI_INSTALL_INCLUDEDIR})
endfunction()

# livegui_install_headers(): the current module's *.hpp go to
# include/livegui/<module path in the repository>/.
function(livegui_install_headers)
  file(RELATIVE_PATH module_dir "${PROJECT_SOURCE_DIR}" "${CMAKE_CURRENT_SOURCE_DIR}")
  install(DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}/"
    DESTINATION "${LIVEGUI_INSTALL_INCLUDEDIR}/${module_dir}"
    FILES_MATCHING PATTERN "*.hpp")
endfunction()
