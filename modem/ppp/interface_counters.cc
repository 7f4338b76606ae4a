#include "modem/ppp/interface_counters.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace cellfleet::modem::ppp {
namespace {

absl::StatusOr<uint64_t> ReadCounter(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    const int error = errno;
    if (error == ENOENT) return absl::NotFoundError(absl::StrCat(path, ": no such interface"));
    return absl::UnavailableError(absl::StrCat(path, ": ", std::strerror(error)));
  }
  std::string text;
  std::getline(in, text);
  uint64_t value = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &value)) {
    return absl::DataLossError(absl::StrCat(path, ": not a counter: \"", text, "\""));
  }
  return value;
}

}  // namespace

absl::StatusOr<InterfaceCounters> ReadInterfaceCounters(absl::string_view interface_name,
                                                        const std::string& sysfs_net) {
  // IFNAMSIZ is 16 with the NUL; a slash or dot would leave the sysfs directory.
  if (interface_name.empty() || interface_name.size() > 15 ||
      interface_name.find_first_of("/.") != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("not an interface name: \"", interface_name, "\""));
  }
  const std::string dir = absl::StrCat(sysfs_net, "/", interface_name, "/");
  InterfaceCounters counters;
  absl::StatusOr<uint64_t> ifindex = ReadCounter(dir + "ifindex");
  if (!ifindex.ok()) return ifindex.status();
  absl::StatusOr<uint64_t> rx = ReadCounter(dir + "statistics/rx_bytes");
  if (!rx.ok()) return rx.status();
  absl::StatusOr<uint64_t> tx = ReadCounter(dir + "statistics/tx_bytes");
  if (!tx.ok()) return tx.status();
  counters.ifindex = static_cast<int64_t>(*ifindex);
  counters.rx_bytes = *rx;
  counters.tx_bytes = *tx;
  return counters;
}

}  // namespace cellfleet::modem::ppp
