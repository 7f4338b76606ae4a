// Makes the PPP test VM look like a board the package was installed on, and starts the
// agent the way its systemd unit does: as the service user, with the unit's groups,
// capability bounding set and umask (read from deploy/systemd/cellfleet-agent.service, so
// the tests follow the unit), Debian's setuid pppd, Debian's /etc/ppp with the package's
// peers file, and a world-writable /run/lock.
#ifndef CELLFLEET_TESTS_PPP_VM_SERVICE_USER_H_
#define CELLFLEET_TESTS_PPP_VM_SERVICE_USER_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace cellfleet::testing {

struct ServiceIdentity {
  std::string user;
  std::string group;
  std::vector<std::string> supplementary_groups;
  std::vector<std::string> capabilities;  // "net_admin", ... (setpriv's spelling)
  std::string umask;
  uid_t uid = 0;
  gid_t gid = 0;
};

// User=, Group=, SupplementaryGroups=, CapabilityBoundingSet= and UMask= of a unit file.
absl::StatusOr<ServiceIdentity> ReadUnitIdentity(const std::string& unit_path);

// Once per test process, inside the VM (as root): creates the service user as the
// package's postinst does (its own group, member of dialout and dip), restores Debian's
// /etc/ppp and installs the package's peers file, and copies the agent binary to a
// directory every user can read (as /usr/bin is). Returns the unit's identity with ids.
absl::StatusOr<ServiceIdentity> InstallAsOnABoard();

// The agent binary as installed by InstallAsOnABoard.
std::string InstalledAgentPath();

// The whole file, or "" when it cannot be read (files in /proc, /etc and logs).
std::string ReadAll(const std::string& path);

// argv prefix that runs a command as the unit runs the agent.
std::vector<std::string> AsService(const ServiceIdentity& identity);

// Gives `path` to the service user (chown, and `mode`).
absl::Status GiveToService(const ServiceIdentity& identity, const std::string& path, mode_t mode);

}  // namespace cellfleet::testing

#endif  // CELLFLEET_TESTS_PPP_VM_SERVICE_USER_H_
