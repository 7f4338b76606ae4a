// Renders the pppd options file, the chat connect and disconnect scripts and the
// secrets file for an LTE modem, the way an expert writes them (none of the vendor
// how-to's mistakes: ATD*99#, not ATDT#777; ABORT "NO CARRIER", not "NO CARRTER";
// the default route via the ppp interface; usepeerdns instead of editing resolv.conf).
#ifndef CELLFLEET_MODEM_PPP_PPP_FILES_H_
#define CELLFLEET_MODEM_PPP_PPP_FILES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "modem/ppp/connection_settings.h"

namespace cellfleet::modem::ppp {

struct PppFilePaths {
  std::string options;     // <dir>/options: given to pppd with "file" (see PppdArguments)
  std::string connect;     // <dir>/connect.chat
  std::string disconnect;  // <dir>/disconnect.chat
  std::string secrets;     // <dir>/secrets: user/password, mode 0600, included by options
  std::string chat_program = "/usr/sbin/chat";

  static PppFilePaths InDirectory(const std::string& dir);
};

struct PppFiles {
  std::string options;
  std::string connect;
  std::string disconnect;
  std::string secrets;  // empty without credentials
};

// The peers file the package installs (deploy/ppp/cellfleet): root's, with the only
// privileged options the link needs.
inline constexpr char kPeerName[] = "cellfleet";

// pppd's command line: `call <peer> file <options>`. pppd reads the peers file as root's
// and the agent's options as an ordinary user's (docs/install.md, "Dialing as the service user").
std::vector<std::string> PppdArguments(const PppFilePaths& paths,
                                       const std::string& peer = kPeerName);

// Validates, renders, and checks the result against the option policy
// (pppd_option_policy.h). Nothing is written.
absl::StatusOr<PppFiles> RenderPppFiles(const ConnectionSettings& settings,
                                        const PppFilePaths& paths);

// Validates and renders, then writes all files atomically (temp, fsync, rename; the
// secrets file 0600). On any error nothing on disk has changed.
absl::Status WritePppFiles(const ConnectionSettings& settings, const PppFilePaths& paths);

}  // namespace cellfleet::modem::ppp

#endif  // CELLFLEET_MODEM_PPP_PPP_FILES_H_
