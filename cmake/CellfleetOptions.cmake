# One INTERFACE target carries the project's warnings and sanitizer flags; every
# project target links it, so nothing is set directory-wide.
add_library(cellfleet_options INTERFACE)
target_compile_features(cellfleet_options INTERFACE cxx_std_17)
target_compile_options(cellfleet_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual -Wformat=2)
if(CELLFLEET_WERROR)
  target_compile_options(cellfleet_options INTERFACE -Werror)
endif()
if(CELLFLEET_SANITIZE)
  target_compile_options(cellfleet_options INTERFACE -fsanitize=address,undefined
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(cellfleet_options INTERFACE -fsanitize=address,undefined)
endif()
if(CELLFLEET_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CELLFLEET_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++")
  endif()
  # Coverage instrumentation everywhere; only the fuzzer binaries link libFuzzer's main.
  target_compile_options(cellfleet_options INTERFACE -fsanitize=fuzzer-no-link)
endif()
