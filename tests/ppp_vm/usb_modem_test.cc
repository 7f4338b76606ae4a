// An EC25 as the kernel sees one, inside the test VM: a USB gadget on dummy_hcd with the
// EC25's ids that Linux's option driver binds as ttyUSB0..3, the package's udev rules
// applied by a real systemd-udevd (tests/vm/ec25_gadget.sh), and the simulator answering
// behind the gadget's end of the AT port. The agent runs as the package's service user
// with the unit's groups and capabilities: it finds the modem in the real sysfs
// (--at-port auto), the doctor's USB checks pass on the real driver, and an operator's
// USB reset re-enumerates the device through the agent's own ioctl on the node the udev
// rule gave it.
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/hardware/usb_reset.h"
#include "modem/testing/status_matchers.h"
#include "modem/testing/wait_for.h"
#include "nlohmann/json.hpp"
#include "tests/ppp_vm/service_user.h"
#include "tests/support/fleet.h"
#include "tests/support/subprocess.h"

namespace cellfleet::testing {
namespace {

using ::testing::HasSubstr;

// Bytes both ways between two ttys (the gadget's end of the AT port and the simulator's
// port), raw, until destroyed. A side that hangs up (the gadget's, when the host resets
// the device) is opened again.
class Relay {
 public:
  Relay(std::string a, std::string b) : paths_{std::move(a), std::move(b)} {
    wake_ = ::eventfd(0, EFD_CLOEXEC);
    thread_ = std::thread([this] { Run(); });
  }
  ~Relay() {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_, &one, sizeof(one));
    thread_.join();
    for (int fd : fds_) {
      if (fd >= 0) ::close(fd);
    }
    ::close(wake_);
  }

 private:
  void Open(int i) {
    if (fds_[i] >= 0) ::close(fds_[i]);
    fds_[i] = ::open(paths_[i].c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    termios raw{};
    if (fds_[i] >= 0 && ::tcgetattr(fds_[i], &raw) == 0) {
      ::cfmakeraw(&raw);
      ::tcsetattr(fds_[i], TCSANOW, &raw);
    }
  }
  void Run() {
    char buffer[4096];
    while (true) {
      for (int i = 0; i < 2; ++i) {
        if (fds_[i] < 0) Open(i);
      }
      pollfd fds[] = {{fds_[0], POLLIN, 0}, {fds_[1], POLLIN, 0}, {wake_, POLLIN, 0}};
      if (::poll(fds, 3, 200) < 0 && errno != EINTR) return;
      if (fds[2].revents != 0) return;
      for (int i = 0; i < 2; ++i) {
        if (fds[i].revents == 0) continue;
        const ssize_t n = ::read(fds_[i], buffer, sizeof(buffer));
        if (n > 0 && fds_[1 - i] >= 0) {
          [[maybe_unused]] ssize_t w = ::write(fds_[1 - i], buffer, static_cast<size_t>(n));
        } else if (n == 0 || (n < 0 && errno != EAGAIN)) {
          ::close(fds_[i]);  // hung up: open again on the next turn
          fds_[i] = -1;
        }
      }
    }
  }
  const std::string paths_[2];
  int fds_[2] = {-1, -1};
  int wake_ = -1;
  std::thread thread_;
};

// How often the kernel has logged a reset of a high-speed USB device.
int UsbResetsLogged() {
  absl::StatusOr<CommandResult> dmesg = RunCommand({"/usr/bin/dmesg"}, absl::Seconds(10));
  if (!dmesg.ok()) return -1;
  int count = 0;
  for (size_t at = dmesg->out.find("reset high-speed USB device"); at != std::string::npos;
       at = dmesg->out.find("reset high-speed USB device", at + 1)) {
    ++count;
  }
  return count;
}

class UsbModemVmTest : public ::testing::Test {
 protected:
  absl::StatusOr<nlohmann::json> Cli(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {CELLFLEET_CLI, "--output", "json", "--timeout", "60"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--targets");
    argv.push_back(address_);
    absl::StatusOr<CommandResult> result = RunCommand(argv, absl::Seconds(90));
    if (!result.ok()) return result.status();
    std::vector<std::string> lines = absl::StrSplit(result->out, '\n', absl::SkipEmpty());
    if (lines.size() != 1) return absl::InternalError("expected one JSON line: " + result->out);
    return nlohmann::json::parse(lines[0], nullptr, false);
  }
  // The board's status as `cellfleet status -o json` prints it.
  nlohmann::json Status() {
    absl::StatusOr<nlohmann::json> line = Cli({"status"});
    return line.ok() && line->contains("status") ? (*line)["status"] : nlohmann::json::object();
  }
  std::string AgentLog() {
    std::ifstream in(dir_ + "/agent.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::string dir_;
  std::string address_;
};

TEST_F(UsbModemVmTest, AnEc25OnTheKernelsUsbIsFoundCheckedAndResetByTheServiceUser) {
  if (!std::filesystem::exists("/dev/ppp")) GTEST_SKIP() << "runs inside the test VM only";
  absl::StatusOr<ServiceIdentity> service = InstallAsOnABoard();
  ASSERT_THAT(service, IsOk());

  absl::StatusOr<CommandResult> gadget =
      RunCommand({"/bin/sh", CELLFLEET_SOURCE_DIR "/tests/vm/ec25_gadget.sh",
                  CELLFLEET_SOURCE_DIR "/deploy/udev/70-cellfleet-quectel.rules"},
                 absl::Seconds(60));
  ASSERT_THAT(gadget, IsOk());
  ASSERT_EQ(gadget->exit_code, 0) << gadget->out << gadget->err;
  const std::string gadget_at(absl::StripAsciiWhitespace(gadget->out));

  // udev as installed: the ports are dialout's and named by the modem's serial; the USB
  // device node is the agent's group's alone.
  struct stat port {};
  ASSERT_EQ(::stat("/dev/ttyUSB2", &port), 0) << "the option driver made no ttyUSB2";
  EXPECT_EQ(port.st_mode & 0777, 0660u);
  EXPECT_EQ(std::filesystem::read_symlink("/dev/cellfleet/EC25GADGET01/at").filename(), "ttyUSB2");
  absl::StatusOr<std::string> node = modem::FindModemUsbNode("/dev/ttyUSB2");
  ASSERT_THAT(node, IsOk());
  struct stat usb {};
  ASSERT_EQ(::stat(node->c_str(), &usb), 0) << *node;
  EXPECT_EQ(usb.st_gid, service->gid) << *node << " is not group " << service->group;
  EXPECT_EQ(usb.st_mode & 0777, 0660u);

  dir_ = MakeTempDir("cellfleet-usb");
  ::chmod(dir_.c_str(), 0755);
  const std::string state = dir_ + "/state";
  std::filesystem::create_directories(state);
  ASSERT_THAT(GiveToService(*service, state, 0700), IsOk());
  ASSERT_THAT(GiveToService(*service, dir_, 0755), IsOk());

  // The simulator answers behind the gadget's end of interface 2.
  FleetOptions options;
  options.simulator = CELLFLEET_MODEMSIM;
  options.dir = dir_;
  options.boards = 1;
  options.start_agents = false;
  options.start_timeout = absl::Seconds(30);
  absl::StatusOr<std::unique_ptr<Fleet>> simulator = Fleet::Start(std::move(options));
  ASSERT_THAT(simulator, IsOk());
  Relay relay(gadget_at, (*simulator)->boards()[0].at_path);

  // The agent as the unit runs it, finding its modem in the kernel's sysfs.
  const std::string ready = dir_ + "/agent.ready";
  std::vector<std::string> argv = AsService(*service);
  for (const std::string& arg :
       {InstalledAgentPath(), std::string("--at-port"), std::string("auto"),
        std::string("--listen"), std::string("127.0.0.1:0"), std::string("--board-name"),
        std::string("usb-board"), std::string("--poll-interval"), std::string("1"),
        std::string("--unauthenticated-role"), std::string("operator"), std::string("--audit-log"),
        dir_ + "/audit.jsonl", std::string("--state-dir"), state, std::string("--log-target"),
        std::string("stderr"), std::string("--ready-file"), ready}) {
    argv.push_back(arg);
  }
  absl::StatusOr<Subprocess> agent = Subprocess::Start(argv, dir_ + "/agent.log");
  ASSERT_THAT(agent, IsOk());
  absl::StatusOr<std::string> address = WaitForFile(ready, absl::Seconds(60));
  ASSERT_THAT(address, IsOk()) << AgentLog();
  address_ = std::string(absl::StripAsciiWhitespace(*address));
  ASSERT_TRUE(WaitFor([&] { return Status().value("modem_state", "") == "MODEM_STATE_READY"; },
                      absl::Seconds(90)))
      << Status().dump() << AgentLog();
  EXPECT_EQ(Status().value("at_port", ""), "/dev/ttyUSB2");

  // The doctor's USB checks on the real driver and sysfs.
  absl::StatusOr<nlohmann::json> doctor = Cli({"doctor"});
  ASSERT_THAT(doctor, IsOk());
  std::map<std::string, std::string> checks;
  for (const nlohmann::json& check : doctor->value("checks", nlohmann::json::array())) {
    checks[check.value("name", "")] =
        absl::StrCat(check.value("result", ""), ": ", check.value("detail", ""));
  }
  for (const char* name : {"usb", "driver", "ports", "at_port"}) {
    EXPECT_THAT(checks[name], HasSubstr("CHECK_RESULT_PASS")) << name << "\n" << doctor->dump();
  }

  // An operator's USB reset: the agent's own ioctl re-enumerates the device (the kernel
  // says so), its ports vanish and return, and the modem answers again.
  const int resets_before = UsbResetsLogged();
  absl::StatusOr<nlohmann::json> recovered = Cli({"recover", "--step", "usb-reset"});
  ASSERT_THAT(recovered, IsOk());
  EXPECT_EQ(recovered->value("ok", false), true) << recovered->dump();
  ASSERT_TRUE(WaitFor(
      [&] {
        const nlohmann::json last = Status()["recovery"]["last"];
        return last.value("step", "") == "RECOVERY_STEP_USB_RESET" &&
               last.value("outcome", "") != "RECOVERY_OUTCOME_WAITING";
      },
      absl::Seconds(120)))
      << Status().dump() << AgentLog();
  EXPECT_EQ(Status()["recovery"]["last"].value("outcome", ""), "RECOVERY_OUTCOME_RECOVERED")
      << Status().dump() << AgentLog();
  EXPECT_EQ(UsbResetsLogged(), resets_before + 1);
  EXPECT_THAT(AgentLog(), HasSubstr("USB reset of " + *node));
  (void)agent->Stop(absl::Seconds(20));
}

}  // namespace
}  // namespace cellfleet::testing
