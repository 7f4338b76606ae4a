# One INTERFACE target carries the project's warnings and sanitizer flags; every
# project target links it, so nothing is set directory-wide.
add_library(cellfleet_options INTERFACE)
target_compile_features(cellfleet_options INTERFACE cxx_std_17)
target_compile_options(cellfleet_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual -Wformat=2)
# clang checks the ABSL_GUARDED_BY / ABSL_EXCLUSIVE_LOCKS_REQUIRED annotations.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  target_compile_options(cellfleet_options INTERFACE -Wthread-safety)
endif()
if(CELLFLEET_WERROR)
  target_compile_options(cellfleet_options INTERFACE -Werror)
endif()
if(CELLFLEET_SANITIZE)
  target_compile_options(cellfleet_options INTERFACE -fsanitize=address,undefined
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(cellfleet_options INTERFACE -fsanitize=address,undefined)
endif()
if(CELLFLEET_TSAN)
  if(CELLFLEET_SANITIZE)
    message(FATAL_ERROR "CELLFLEET_TSAN and CELLFLEET_SANITIZE (ASan) cannot be combined")
  endif()
  target_compile_options(cellfleet_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer
    -fsanitize-ignorelist=${PROJECT_SOURCE_DIR}/tests/tsan/ignorelist.txt)
  target_link_options(cellfleet_options INTERFACE -fsanitize=thread)
  # Debian's Abseil is not TSan-built: every program gets the annotations that let TSan
  # see absl::Mutex (tests/tsan/absl_sync_annotations.cc).
  add_library(cellfleet_tsan_annotations OBJECT
    ${PROJECT_SOURCE_DIR}/tests/tsan/absl_sync_annotations.cc)
  target_compile_features(cellfleet_tsan_annotations PRIVATE cxx_std_17)
  target_compile_options(cellfleet_tsan_annotations PRIVATE -fsanitize=thread)
  target_link_libraries(cellfleet_tsan_annotations PRIVATE absl::synchronization)
  target_sources(cellfleet_options INTERFACE
    $<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:$<TARGET_OBJECTS:cellfleet_tsan_annotations>>)
endif()
if(CELLFLEET_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CELLFLEET_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++")
  endif()
  # Coverage instrumentation everywhere; only the fuzzer binaries link libFuzzer's main.
  target_compile_options(cellfleet_options INTERFACE -fsanitize=fuzzer-no-link)
endif()

# gRPC's and the API's generated headers are most of every agent, client and test
# compile: targets with several such files precompile them once.
function(cellfleet_grpc_precompiled_headers target)
  target_precompile_headers(${target} PRIVATE <grpcpp/grpcpp.h>
    <cellfleet/v1/agent_service.grpc.pb.h> <cellfleet/v1/agent_service.pb.h>)
endfunction()
