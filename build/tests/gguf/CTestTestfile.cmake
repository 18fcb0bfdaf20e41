# CMake generated Testfile for 
# Source directory: /work/main/tests/gguf
# Build directory: /work/main/build/tests/gguf
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
include("/work/main/build/tests/gguf/test_gguf[1]_include.cmake")
