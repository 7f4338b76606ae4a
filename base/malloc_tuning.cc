#include "base/malloc_tuning.h"

#include <malloc.h>

namespace cellfleet::base {

void TuneMallocForManyConnections() {
  mallopt(M_ARENA_MAX, 1);
  mallopt(M_MMAP_THRESHOLD, 64 * 1024);
}

}  // namespace cellfleet::base
