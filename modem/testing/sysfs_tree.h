// A fake sysfs, udev database and /proc, built from a testdata/*.tree description (its
// header documents the format), for discovery and the doctor's USB checks.
#ifndef CELLFLEET_MODEM_TESTING_SYSFS_TREE_H_
#define CELLFLEET_MODEM_TESTING_SYSFS_TREE_H_

#include <string>

#include "modem/discovery.h"

namespace cellfleet::testing {

// Builds the tree under a fresh directory in the test's temp dir, named after the
// running test; /dev stays the real one (only named, never opened).
modem::DiscoveryRoots BuildSysfsTree(const std::string& description_file);

}  // namespace cellfleet::testing

#endif  // CELLFLEET_MODEM_TESTING_SYSFS_TREE_H_
