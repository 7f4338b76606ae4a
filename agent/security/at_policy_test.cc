#include "agent/security/at_policy.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"

namespace cellfleet::agent {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::StatusIs;
using ::testing::HasSubstr;

modem::CommandLine Line(absl::string_view text) {
  absl::StatusOr<modem::CommandLine> line = modem::ParseCommandLine(text);
  EXPECT_THAT(line, IsOk()) << text;
  return line.ok() ? *line : modem::CommandLine{};
}

TEST(AtPatternTest, StarIsTheOnlyWildcardAndCaseDoesNotMatter) {
  EXPECT_TRUE(MatchesAtPattern("AT+QCFG=\"band\",*", "at+qcfg=\"BAND\",0,80,0"));
  EXPECT_FALSE(MatchesAtPattern("AT+QCFG=\"band\",*", "AT+QCFG=\"nwscanmode\",3"));
  EXPECT_TRUE(MatchesAtPattern("AT+CFUN=*", "AT+CFUN=1,1"));
  EXPECT_TRUE(MatchesAtPattern("AT*", "AT"));
  EXPECT_TRUE(MatchesAtPattern("AT+C*=*,1", "AT+CFUN=1,1"));
  EXPECT_FALSE(MatchesAtPattern("AT+C*=*,1", "AT+CFUN=1,0"));
  // '?' is the AT read form, not a wildcard.
  EXPECT_TRUE(MatchesAtPattern("AT+CSQ?", "AT+CSQ?"));
  EXPECT_FALSE(MatchesAtPattern("AT+CSQ?", "AT+CSQ1"));
  EXPECT_FALSE(MatchesAtPattern("AT+CSQ", "AT+CSQ;+CFUN=0"));
  EXPECT_THAT(ValidateAtPattern("+CSQ"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must start with AT")));
  EXPECT_THAT(ValidateAtPattern("AT+CSQ\n"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateAtPattern("AT+QCFG=\"band\",*"), IsOk());
}

TEST(AtPolicyTest, DefaultsViewersNothingOperatorsQueries) {
  AtPolicy policy({});
  EXPECT_THAT(policy.Check(Role::kViewer, Line("AT+CSQ")),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("role viewer may not")));
  EXPECT_THAT(policy.Check(Role::kNone, Line("AT+CSQ")),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(policy.Check(Role::kOperator, Line("AT+QENG=\"neighbourcell\"")), IsOk());
  EXPECT_THAT(policy.Check(Role::kOperator, Line("AT+COPS?")), IsOk());
  EXPECT_THAT(
      policy.Check(Role::kOperator, Line("AT+CFUN=0")),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("security.at_commands.operator")));
}

TEST(AtPolicyTest, ConfigAllowsMorePerRoleButNeverTheForbidden) {
  AtPolicySettings settings;
  settings.viewer_allow = {"AT+CSQ"};
  settings.operator_allow = {"AT+CFUN=*", "AT+IPR=*", "AT+QCFG=\"band\",*"};
  AtPolicy policy(settings);
  EXPECT_THAT(policy.Check(Role::kViewer, Line("AT+CSQ")), IsOk());
  EXPECT_THAT(policy.Check(Role::kViewer, Line("AT+COPS?")),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(policy.Check(Role::kViewer, Line("AT+CFUN=1,1")),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(policy.Check(Role::kOperator, Line("AT+CFUN=1,1")), IsOk());
  EXPECT_THAT(policy.Check(Role::kOperator, Line("AT+QCFG=\"band\",0,80,0")), IsOk());
  EXPECT_THAT(policy.Check(Role::kOperator, Line("AT+QCFG=\"nwscanmode\",3")),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(policy.Check(Role::kOperator, Line("AT+IPR=9600")),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("no agent config can")));
}

// A broad pattern lets through what an operator meant to allow; not a command that can
// strand a remote SIM or modem: that needs a pattern naming it.
TEST(AtPolicyTest, HazardsNeedAPatternNamingThem) {
  AtPolicySettings broad;
  broad.operator_allow = {"AT*", "AT+C*", "AT+CRS*", "AT&*"};
  for (absl::string_view text : {"AT+CRSM=176,28539,0,0,12", "AT+CSIM=10,\"0020000100\"", "AT&W",
                                 "AT+QNVFW=\"/nv/x\",01", "AT+QPRTPARA=3"}) {
    EXPECT_THAT(AtPolicy(broad).Check(Role::kOperator, Line(text)),
                StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("only a pattern naming")))
        << text;
  }
  EXPECT_THAT(AtPolicy(broad).Check(Role::kOperator, Line("AT+CRSM=176,28539,0,0,12")),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("lock the SIM")));
  // Positive controls: the broad pattern still allows the ordinary, and a pattern naming
  // the command allows it.
  EXPECT_THAT(AtPolicy(broad).Check(Role::kOperator, Line("AT+CFUN=1,1")), IsOk());
  AtPolicySettings named;
  named.operator_allow = {"AT+CRSM=*", "AT&W", "AT+QPRTPARA=1"};
  AtPolicy policy(named);
  EXPECT_THAT(policy.Check(Role::kOperator, Line("AT+CRSM=176,28539,0,0,12")), IsOk());
  EXPECT_THAT(policy.Check(Role::kOperator, Line("AT&W")), IsOk());
  EXPECT_THAT(policy.Check(Role::kOperator, Line("AT+QPRTPARA=1")), IsOk());
  EXPECT_THAT(policy.Check(Role::kOperator, Line("AT+QPRTPARA=3")),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(policy.Check(Role::kViewer, Line("AT+CRSM=176,28539,0,0,12")),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST(AtPolicyTest, ChainsOnlyWhereAllowedAndThenEachPartIsChecked) {
  AtPolicySettings settings;
  EXPECT_THAT(AtPolicy(settings).Check(Role::kOperator, Line("AT+CSQ;+COPS?")),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("allow_chained")));
  settings.allow_chained = true;
  AtPolicy policy(settings);
  EXPECT_THAT(policy.Check(Role::kOperator, Line("AT+CSQ;+COPS?")), IsOk());
  EXPECT_THAT(policy.Check(Role::kOperator, Line("AT+CSQ;+CFUN=0")),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("AT+CFUN=0")));
  EXPECT_THAT(policy.Check(Role::kOperator, Line("AT+CSQ;+IPR=9600")),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("AT+IPR=9600")));
}

}  // namespace
}  // namespace cellfleet::agent
