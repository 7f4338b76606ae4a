// glibc's allocator, tuned for a daemon that holds many mostly idle connections and now
// and then builds something large on whichever thread (the collector, the gateway).
#ifndef CELLFLEET_BASE_MALLOC_TUNING_H_
#define CELLFLEET_BASE_MALLOC_TUNING_H_

namespace cellfleet::base {

// One malloc arena, not one per thread that ever allocated: the collector builds the
// fleet's page (MBs at 1,000 boards) on whichever HTTP thread serves a scrape, and glibc
// kept every such thread's freed pages (60 MB against 43 at 300 boards after 20
// scrapes); with one arena the collector used 1.9 % of a core over 1,000 boards. And a
// fixed threshold above which blocks are mapped, so that large blocks go back to the
// system when freed; glibc's default raises it to the largest block freed, and then
// keeps those in the heap (3 MB at 1,000 boards). Call first in main.
void TuneMallocForManyConnections();

}  // namespace cellfleet::base

#endif  // CELLFLEET_BASE_MALLOC_TUNING_H_
