#include "tests/ppp_vm/service_user.h"

#include <grp.h>
#include <pwd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "base/status_macros.h"

namespace cellfleet::testing {
namespace {

constexpr char kBoardDir[] = "/run/cellfleet-vm";

absl::Status Errno(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

absl::Status WriteFile(const std::string& path, const std::string& content, mode_t mode) {
  std::ofstream out(path, std::ios::trunc);
  out << content;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  if (::chmod(path.c_str(), mode) != 0) return Errno(absl::StrCat("chmod ", path));
  return absl::OkStatus();
}

// Lays `content` over the file at `target` (read-only 9p in the VM) with a bind mount.
absl::Status BindOver(const std::string& target, const std::string& content) {
  const std::string copy =
      absl::StrCat(kBoardDir, "/", std::filesystem::path(target).filename().string());
  RETURN_IF_ERROR(WriteFile(copy, content, 0644));
  if (::mount(copy.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0)
    return Errno(absl::StrCat("bind ", copy, " over ", target));
  return absl::OkStatus();
}

// The passwd and group lines postinst's adduser calls make: a system user with its own
// group, added to dialout and dip.
absl::Status AddServiceUser(const ServiceIdentity& identity, uid_t id) {
  std::string passwd = ReadAll("/etc/passwd");
  absl::StrAppend(&passwd, identity.user, ":x:", id, ":", id,
                  "::/var/lib/cellfleet:/usr/sbin/nologin\n");
  std::vector<std::string> groups;
  for (absl::string_view line : absl::StrSplit(ReadAll("/etc/group"), '\n', absl::SkipEmpty())) {
    std::string entry(line);
    const std::string name = entry.substr(0, entry.find(':'));
    for (const std::string& extra : identity.supplementary_groups) {
      if (name == extra)
        absl::StrAppend(&entry, absl::EndsWith(entry, ":") ? "" : ",", identity.user);
    }
    groups.push_back(std::move(entry));
  }
  groups.push_back(absl::StrCat(identity.group, ":x:", id, ":"));
  RETURN_IF_ERROR(BindOver("/etc/passwd", passwd));
  return BindOver("/etc/group", absl::StrJoin(groups, "\n") + "\n");
}

}  // namespace

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

absl::StatusOr<ServiceIdentity> ReadUnitIdentity(const std::string& unit_path) {
  std::ifstream in(unit_path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", unit_path));
  ServiceIdentity identity;
  for (std::string line; std::getline(in, line);) {
    absl::string_view text = absl::StripAsciiWhitespace(line);
    if (text.empty() || text[0] == '#') continue;
    const size_t eq = text.find('=');
    if (eq == absl::string_view::npos) continue;
    const absl::string_view key = text.substr(0, eq);
    const absl::string_view value = text.substr(eq + 1);
    std::vector<std::string> words = absl::StrSplit(value, ' ', absl::SkipEmpty());
    if (key == "User") identity.user = std::string(value);
    if (key == "Group") identity.group = std::string(value);
    if (key == "SupplementaryGroups") identity.supplementary_groups = words;
    if (key == "UMask") identity.umask = std::string(value);
    if (key == "CapabilityBoundingSet") {
      for (std::string& cap : words) {
        absl::string_view name = cap;
        absl::ConsumePrefix(&name, "CAP_");
        identity.capabilities.push_back(absl::AsciiStrToLower(name));
      }
    }
  }
  if (identity.user.empty() || identity.group.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(unit_path, " has no User= or Group="));
  }
  return identity;
}

std::string InstalledAgentPath() { return absl::StrCat(kBoardDir, "/bin/cellfleet-agent"); }

absl::StatusOr<ServiceIdentity> InstallAsOnABoard() {
  static absl::Mutex mu(absl::kConstInit);
  static ServiceIdentity* installed = nullptr;
  absl::MutexLock lock(&mu);
  if (installed != nullptr) return *installed;
  ASSIGN_OR_RETURN(ServiceIdentity identity, ReadUnitIdentity(CELLFLEET_UNIT_FILE));
  std::error_code ec;
  std::filesystem::create_directories(absl::StrCat(kBoardDir, "/bin"), ec);
  if (ec) return absl::InternalError(absl::StrCat("mkdir ", kBoardDir, ": ", ec.message()));
  ::chmod(kBoardDir, 0755);
  ::chmod(absl::StrCat(kBoardDir, "/bin").c_str(), 0755);
  if (getpwnam(identity.user.c_str()) == nullptr) {
    uid_t id = 990;  // a system id nobody on this image uses
    while (getpwuid(id) != nullptr || getgrgid(id) != nullptr) --id;
    RETURN_IF_ERROR(AddServiceUser(identity, id));
  }
  const passwd* user = getpwnam(identity.user.c_str());
  const group* own_group = getgrnam(identity.group.c_str());
  if (user == nullptr || own_group == nullptr)
    return absl::InternalError("the service user is still unknown after adding it");
  identity.uid = user->pw_uid;
  identity.gid = own_group->gr_gid;

  // /etc/ppp as Debian's ppp package leaves it (the prelude laid a tmpfs over it), plus the
  // peers file this package installs, root's.
  std::filesystem::copy(
      "/mnt/host/etc/ppp", "/etc/ppp",
      std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing,
      ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot restore /etc/ppp: ", ec.message()));
  for (const char* dir : {"/etc/ppp/peers"}) {
    ::chown(dir, 0, getgrnam("dip")->gr_gid);
    ::chmod(dir, 02750);  // as the ppp package makes it
  }
  std::filesystem::copy_file(CELLFLEET_PEERS_FILE, "/etc/ppp/peers/cellfleet",
                             std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot install the peers file: ", ec.message()));
  ::chmod("/etc/ppp/peers/cellfleet", 0644);
  ::chmod("/run/lock", 01777);  // systemd-tmpfiles makes it so on Debian
  // The agent binary where every user may run it, as the package puts it in /usr/bin (a
  // build tree in a home directory may not be).
  std::filesystem::copy_file(CELLFLEET_AGENT, InstalledAgentPath(),
                             std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot install the agent: ", ec.message()));
  ::chmod(InstalledAgentPath().c_str(), 0755);
  installed = new ServiceIdentity(identity);
  return identity;
}

std::vector<std::string> AsService(const ServiceIdentity& identity) {
  std::vector<std::string> caps = {"-all"};
  for (const std::string& cap : identity.capabilities) caps.push_back("+" + cap);
  // The shell only sets the unit's umask; the command and its arguments pass as "$@".
  return {
      "/bin/sh",
      "-c",
      absl::StrCat("umask ", identity.umask.empty() ? "0022" : identity.umask, " && exec \"$@\""),
      "sh",
      "/usr/bin/setpriv",
      absl::StrCat("--reuid=", identity.uid),
      absl::StrCat("--regid=", identity.gid),
      absl::StrCat("--groups=", absl::StrJoin(identity.supplementary_groups, ",")),
      absl::StrCat("--bounding-set=", absl::StrJoin(caps, ",")),
      "--inh-caps=-all",
      "--"};
}

absl::Status GiveToService(const ServiceIdentity& identity, const std::string& path, mode_t mode) {
  if (::chown(path.c_str(), identity.uid, identity.gid) != 0)
    return Errno(absl::StrCat("chown ", path));
  if (::chmod(path.c_str(), mode) != 0) return Errno(absl::StrCat("chmod ", path));
  return absl::OkStatus();
}

}  // namespace cellfleet::testing
