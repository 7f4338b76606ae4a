#include "client/config_change.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"

namespace cellfleet::client {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::StatusIs;
using ::testing::ElementsAre;

TEST(ConfigChangeTest, OnlyTheFlagsGivenAreInTheMask) {
  ConfigChangeFlags flags;
  flags.apn = "internet.example";
  flags.keep_up = true;
  flags.confirm = "2m";
  std::istringstream in;
  absl::StatusOr<v1::ApplyConfigRequest> change = BuildConfigChange(flags, in);
  ASSERT_THAT(change, IsOk());
  EXPECT_THAT(change->update_mask().paths(), ElementsAre("apn", "keep_up.enabled"));
  EXPECT_EQ(change->config().apn(), "internet.example");
  EXPECT_TRUE(change->config().keep_up().enabled());
  EXPECT_EQ(change->confirm_within().seconds(), 120);
}

TEST(ConfigChangeTest, ThePasswordComesFromStdinOrAFileNeverArgv) {
  ConfigChangeFlags flags;
  flags.auth = "CHAP";
  flags.username = "fleet";
  flags.password_file = "-";
  std::istringstream in("s3cret\nignored second line\n");
  absl::StatusOr<v1::ApplyConfigRequest> change = BuildConfigChange(flags, in);
  ASSERT_THAT(change, IsOk());
  EXPECT_EQ(change->config().password(), "s3cret");
  EXPECT_EQ(change->config().auth(), v1::AUTH_METHOD_CHAP);
  EXPECT_FALSE(change->has_confirm_within());
  flags.password_file = "/nonexistent/password";
  EXPECT_THAT(BuildConfigChange(flags, in), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ConfigChangeTest, UnknownNamesAndEmptyChangesAreRefused) {
  std::istringstream in;
  ConfigChangeFlags none;
  EXPECT_THAT(BuildConfigChange(none, in), StatusIs(absl::StatusCode::kInvalidArgument));
  ConfigChangeFlags pdp;
  pdp.pdp_type = "X25";
  EXPECT_THAT(BuildConfigChange(pdp, in), StatusIs(absl::StatusCode::kInvalidArgument));
  ConfigChangeFlags auth;
  auth.auth = "unspecified";
  EXPECT_THAT(BuildConfigChange(auth, in), StatusIs(absl::StatusCode::kInvalidArgument));
  ConfigChangeFlags window;
  window.apn = "a.example";
  window.confirm = "-5s";
  EXPECT_THAT(BuildConfigChange(window, in), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace cellfleet::client
