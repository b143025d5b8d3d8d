# The livegui CMake package: `cmake --install <build> --prefix <dir>` installs
# <dir>/lib/cmake/livegui/ so that another project can
#
#   find_package(livegui 0.1 REQUIRED)
#   target_link_libraries(my_tests PRIVATE livegui::gtest)   # or ::harness, ::hookclient, ::hookserver
#   livegui_add_live_test(...)                               # cmake/LiveguiTesting.cmake
#
# Included once from the top-level CMakeLists.txt, after every module added
# its targets to the export set (cmake/LiveguiInstall.cmake).
include_guard(GLOBAL)
include(${CMAKE_CURRENT_LIST_DIR}/LiveguiInstall.cmake)
include(CMakePackageConfigHelpers)

install(EXPORT liveguiTargets
  NAMESPACE livegui::
  FILE liveguiTargets.cmake
  DESTINATION ${LIVEGUI_INSTALL_CMAKEDIR})

configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/liveguiConfig.cmake.in
  ${PROJECT_BINARY_DIR}/package/liveguiConfig.cmake
  INSTALL_DESTINATION ${LIVEGUI_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_BINDIR)
# 0.x: a minor version may break the API, so only the same minor matches.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/package/liveguiConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)

install(FILES
  ${PROJECT_BINARY_DIR}/package/liveguiConfig.cmake
  ${PROJECT_BINARY_DIR}/package/liveguiConfigVersion.cmake
  ${CMAKE_CURRENT_LIST_DIR}/LiveguiTesting.cmake
  DESTINATION ${LIVEGUI_INSTALL_CMAKEDIR})
