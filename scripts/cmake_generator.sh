# Sourced by the build scripts. Ninja schedules every target's files as soon as the
# headers they need exist, so both cores stay busy across targets (Make builds target
# by target). A build directory made earlier keeps the generator it was made with.
#   cmake_generator DIR  -> sets the array `generator` for cmake's command line
cmake_generator() {
  generator=()
  [ -f "$1/CMakeCache.txt" ] || generator=(-G Ninja)
}
