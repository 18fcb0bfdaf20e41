# CMake generated Testfile for 
# Source directory: /work/main
# Build directory: /work/main/build
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
subdirs("src/common")
subdirs("src/gguf")
subdirs("src/kernels")
subdirs("src/model")
subdirs("src/tokenizer")
subdirs("src/chat")
subdirs("src/engine")
subdirs("src/logs")
subdirs("src/cli")
subdirs("tests")
