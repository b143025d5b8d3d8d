# CMake generated Testfile for 
# Source directory: /work/main/tests/harness
# Build directory: /work/main/build/tests/harness
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
include("/work/main/build/tests/harness/harness_tests[1]_include.cmake")
