# Cross toolchain for aarch64 Linux (Debian's g++-aarch64-linux-gnu); tests run
# under qemu-user with every CPU feature it emulates (-cpu max: dotprod too).
# Executables are linked statically: qemu then needs no aarch64 loader and
# libraries at run time (a host with Debian's multiarch libc6:arm64 next to
# the cross libc would otherwise mix two glibc builds; threads then hang).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_EXE_LINKER_FLAGS_INIT -static)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-cpu;max)
