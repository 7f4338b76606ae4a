// The options policy: the rendered files pass; anything else pppd would read from the
// agent's file, smuggled or not, is refused.
#include "modem/ppp/pppd_option_policy.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/ppp/ppp_files.h"
#include "modem/testing/status_matchers.h"

namespace cellfleet::modem::ppp {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const OptionPolicy kPolicy{"/usr/sbin/chat", "/var/lib/cellfleet/ppp/secrets"};

TEST(PppdOptionWordsTest, SplitsAsPppdDoes) {
  absl::StatusOr<std::vector<std::string>> words = PppdOptionWords(
      "# c\n/dev/ttyUSB3 115200\nconnect \"/usr/sbin/chat -f x\"\n"
      "user 'a b'\\ c # tail\n");
  ASSERT_THAT(words, IsOk());
  EXPECT_THAT(*words, ElementsAre("/dev/ttyUSB3", "115200", "connect", "/usr/sbin/chat -f x",
                                  "user", "a b c"));
  EXPECT_THAT(PppdOptionWords("connect \"x"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PppdOptionPolicyTest, EveryRenderedVariantPasses) {
  ConnectionSettings s;
  s.apn = "internet.example";
  for (Auth auth : {Auth::kNone, Auth::kPap, Auth::kChap}) {
    for (PdpType pdp : {PdpType::kIp, PdpType::kIpv4v6}) {
      for (bool route : {true, false}) {
        s.auth = auth;
        s.username = auth == Auth::kNone ? "" : "fleet";
        s.password = auth == Auth::kNone ? "" : "pw";
        s.pdp_type = pdp;
        s.default_route = route;
        s.use_peer_dns = route;
        EXPECT_THAT(RenderPppFiles(s, PppFilePaths::InDirectory("/var/lib/cellfleet/ppp")), IsOk());
      }
    }
  }
}

TEST(PppdOptionPolicyTest, RefusesWhatTheAgentNeverWrites) {
  const std::string base =
      "/dev/ttyUSB3\n115200\nnodetach\nconnect \"/usr/sbin/chat -v -s -f /x/connect.chat\"\n";
  for (const char* extra : {
           "plugin /tmp/evil.so",          // loads code into the setuid pppd
           "set LD_PRELOAD=/tmp/evil.so",  // reaches the ip-up scripts pppd runs as root
           "pty \"/bin/sh -c id\"",        // a program instead of the device
           "init \"/bin/sh\"",
           "welcome /bin/sh",
           "noauth",  // privileged: the peers file's
           "ip-up-script /tmp/x",
           "call other",
           "file /etc/shadow",
           "logfile /etc/passwd",
           "record /var/lib/x",
           "lcp-echo-interval x",
           "maxfail",
           "connect \"/bin/sh -c id\"",
           "connect \"/usr/sbin/chat -f x; id\"",
           "disconnect \"/usr/sbin/chat -f x | id\"",
       }) {
    EXPECT_THAT(CheckAgentOptions(base + extra + "\n", "", kPolicy),
                StatusIs(absl::StatusCode::kInternal, HasSubstr("refused")))
        << extra;
  }
  EXPECT_THAT(CheckAgentOptions(base, "user \"u\"\npassword \"p\"\n", kPolicy), IsOk());
  EXPECT_THAT(CheckAgentOptions(base, "user u\nplugin /tmp/evil.so\n", kPolicy),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("secrets")));
}

}  // namespace
}  // namespace cellfleet::modem::ppp
