#include "agent/checks/host_checks.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/sysfs_tree.h"

namespace cellfleet::agent {
namespace {

using ::cellfleet::testing::BuildSysfsTree;
using ::testing::HasSubstr;

std::vector<modem::UsbModem> Tree(const char* name) {
  return modem::FindUsbModems(BuildSysfsTree(std::string(CELLFLEET_MODEM_TESTDATA "/") + name));
}

// "name RESULT: detail" per check, for one readable assertion.
std::vector<std::string> Lines(const std::vector<v1::DiagnosticCheck>& checks) {
  std::vector<std::string> lines;
  for (const v1::DiagnosticCheck& c : checks)
    lines.push_back(c.name() + " " + v1::CheckResult_Name(c.result()) + ": " + c.detail());
  return lines;
}

TEST(UsbChecksTest, TheAgentOnTheAtInterfacePasses) {
  std::vector<v1::DiagnosticCheck> checks =
      UsbChecks(Tree("sysfs-ec25-renumbered.tree"), {"ttyUSB3", "ttyUSB4"});
  ASSERT_EQ(checks.size(), 3u);
  EXPECT_EQ(checks[0].result(), v1::CHECK_RESULT_PASS) << Lines(checks)[0];
  EXPECT_THAT(checks[0].detail(), HasSubstr("EC25/EC20 R2.0/EM05 (2c7c:0125) on USB 1-1.2"));
  EXPECT_EQ(checks[1].result(), v1::CHECK_RESULT_PASS) << Lines(checks)[1];
  EXPECT_THAT(checks[1].detail(), HasSubstr("interface 2 (AT) and interface 3 (modem/PPP)"));
  EXPECT_EQ(checks[2].result(), v1::CHECK_RESULT_PASS) << Lines(checks)[2];
  EXPECT_EQ(checks[2].detail(),
            "if#0 ttyUSB1 (diagnostics), if#1 ttyUSB2 (NMEA), if#2 ttyUSB3 (AT), "
            "if#3 ttyUSB4 (modem/PPP)");
}

TEST(UsbChecksTest, TheHowTosTtyUsb2OnARenumberedModemIsTheNmeaPort) {
  // An FTDI adapter enumerated first: the EC25's ports moved up by one.
  std::vector<v1::DiagnosticCheck> checks =
      UsbChecks(Tree("sysfs-ec25-renumbered.tree"), {"ttyUSB2", "ttyUSB3"});
  EXPECT_EQ(checks[2].result(), v1::CHECK_RESULT_FAIL) << Lines(checks)[2];
  EXPECT_THAT(checks[2].detail(),
              HasSubstr("the agent's at_port is ttyUSB2, which is interface 1 (NMEA); the AT "
                        "interface is ttyUSB3: set at_port to /dev/ttyUSB3"));
  EXPECT_THAT(checks[2].detail(), HasSubstr("modem_port is ttyUSB3, which is interface 2 (AT)"));
}

TEST(UsbChecksTest, AModemWithoutTheOptionDriverFailsDriverAndPorts) {
  std::vector<v1::DiagnosticCheck> checks =
      UsbChecks(Tree("sysfs-ec25-no-driver.tree"), {"ttyUSB2", "ttyUSB3"});
  EXPECT_EQ(checks[0].result(), v1::CHECK_RESULT_PASS) << Lines(checks)[0];
  EXPECT_EQ(checks[1].result(), v1::CHECK_RESULT_FAIL) << Lines(checks)[1];
  EXPECT_THAT(checks[1].detail(), HasSubstr("interface 2 (AT) has no driver: load the option"));
  EXPECT_EQ(checks[2].result(), v1::CHECK_RESULT_FAIL) << Lines(checks)[2];
}

TEST(UsbChecksTest, NoModemOnUsbFailsUnlessThePortIsAPseudoTerminal) {
  std::vector<v1::DiagnosticCheck> absent = UsbChecks({}, {"ttyUSB2", "ttyUSB3"});
  EXPECT_EQ(absent[0].result(), v1::CHECK_RESULT_FAIL);
  EXPECT_THAT(absent[0].detail(), HasSubstr("2c7c:0125"));
  EXPECT_EQ(absent[1].result(), v1::CHECK_RESULT_SKIPPED);
  std::vector<v1::DiagnosticCheck> simulated = UsbChecks({}, {"pts/4", "pts/5"});
  for (const v1::DiagnosticCheck& check : simulated) {
    EXPECT_EQ(check.result(), v1::CHECK_RESULT_SKIPPED) << check.name();
    EXPECT_THAT(check.detail(), HasSubstr("pts/4, not a USB serial port"));
  }
}

v1::ConnectionStatus Up() {
  v1::ConnectionStatus link;
  link.set_state(v1::CONNECTION_STATE_CONNECTED);
  link.set_interface_name("ppp0");
  link.add_dns_servers("10.11.12.13");
  link.add_dns_servers("10.11.12.14");
  return link;
}

constexpr char kRouteHeader[] =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

TEST(RouteCheckTest, DefaultRouteViaPpp0Passes) {
  const std::string table = std::string(kRouteHeader) +
                            "ppp0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n"
                            "eth0\t0002A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n";
  v1::DiagnosticCheck check = RouteCheck(Up(), table);
  EXPECT_EQ(check.result(), v1::CHECK_RESULT_PASS) << check.detail();
  EXPECT_EQ(check.detail(), "default route via dev ppp0");
}

TEST(RouteCheckTest, AnotherDefaultRouteWinsOrNoneAtAll) {
  const std::string eth_wins = std::string(kRouteHeader) +
                               "eth0\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
                               "ppp0\t00000000\t00000000\t0001\t0\t0\t200\t00000000\t0\t0\t0\n";
  v1::DiagnosticCheck lower = RouteCheck(Up(), eth_wins);
  EXPECT_EQ(lower.result(), v1::CHECK_RESULT_WARN) << lower.detail();
  EXPECT_THAT(lower.detail(), HasSubstr("traffic leaves by eth0"));
  const std::string eth_only =
      std::string(kRouteHeader) + "eth0\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n";
  v1::DiagnosticCheck none = RouteCheck(Up(), eth_only);
  EXPECT_EQ(none.result(), v1::CHECK_RESULT_FAIL) << none.detail();
  EXPECT_THAT(none.detail(), HasSubstr("replacedefaultroute"));
  EXPECT_EQ(RouteCheck(Up(), kRouteHeader).result(), v1::CHECK_RESULT_FAIL);
  EXPECT_EQ(RouteCheck(v1::ConnectionStatus(), eth_only).result(), v1::CHECK_RESULT_SKIPPED);
}

TEST(DnsCheckTest, PppdsResolvConfMustListThePeersServers) {
  const std::string written = "nameserver 10.11.12.13\nnameserver 10.11.12.14\n";
  EXPECT_EQ(DnsCheck(Up(), written, "/etc/ppp/resolv.conf").result(), v1::CHECK_RESULT_PASS);
  v1::DiagnosticCheck stale = DnsCheck(Up(), "nameserver 10.11.12.13\n", "/etc/ppp/resolv.conf");
  EXPECT_EQ(stale.result(), v1::CHECK_RESULT_WARN);
  EXPECT_THAT(stale.detail(), HasSubstr("lacks the peer's 10.11.12.14"));
  v1::DiagnosticCheck missing = DnsCheck(Up(), std::nullopt, "/etc/ppp/resolv.conf");
  EXPECT_EQ(missing.result(), v1::CHECK_RESULT_FAIL);
  EXPECT_THAT(missing.detail(), HasSubstr("usepeerdns"));
  EXPECT_EQ(DnsCheck(v1::ConnectionStatus(), written, "x").result(), v1::CHECK_RESULT_SKIPPED);
}

TEST(ModemManagerCheckTest, RunningWithUnmarkedPortsWarns) {
  EXPECT_EQ(ModemManagerCheck(false, {}).result(), v1::CHECK_RESULT_PASS);
  EXPECT_EQ(ModemManagerCheck(true, {}).result(), v1::CHECK_RESULT_PASS);
  EXPECT_EQ(ModemManagerCheck(true, {"may probe /dev/ttyUSB4"}).result(), v1::CHECK_RESULT_WARN);
}

}  // namespace
}  // namespace cellfleet::agent
