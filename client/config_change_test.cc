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

TEST(ConfigChangeTest, PlanFlagsSetTheBoardsPlanFieldsOrOneSimsWholePlan) {
  std::istringstream in;
  ConfigChangeFlags board;
  board.data_cap = "1.5GB";
  board.data_warn = "none";
  board.at_cap = "hang-up";
  absl::StatusOr<v1::ApplyConfigRequest> change = BuildConfigChange(board, in);
  ASSERT_THAT(change, IsOk());
  EXPECT_THAT(change->update_mask().paths(),
              ElementsAre("data_plan.warn_bytes", "data_plan.cap_bytes", "data_plan.at_cap"));
  EXPECT_EQ(change->config().data_plan().cap_bytes(), 1'500'000'000u);
  EXPECT_EQ(change->config().data_plan().at_cap(), v1::CAP_ACTION_HANG_UP);

  ConfigChangeFlags sim;
  sim.sim = "89490200001234567890";
  sim.data_cap = "2GiB";
  sim.cycle_start_day = 5;
  change = BuildConfigChange(sim, in);
  ASSERT_THAT(change, IsOk());
  EXPECT_THAT(change->update_mask().paths(), ElementsAre("sim_data_plans"));
  const v1::DataPlan& plan = change->config().sim_data_plans().at("89490200001234567890");
  EXPECT_EQ(plan.cap_bytes(), uint64_t{2} << 30);
  EXPECT_EQ(plan.cycle_start_day(), 5u);
  EXPECT_FALSE(change->config().has_data_plan());

  ConfigChangeFlags bad_size;
  bad_size.data_cap = "lots";
  EXPECT_THAT(BuildConfigChange(bad_size, in), StatusIs(absl::StatusCode::kInvalidArgument));
  ConfigChangeFlags bad_action;
  bad_action.at_cap = "explode";
  EXPECT_THAT(BuildConfigChange(bad_action, in), StatusIs(absl::StatusCode::kInvalidArgument));
  ConfigChangeFlags sim_alone;
  sim_alone.sim = "89490200001234567890";
  EXPECT_THAT(BuildConfigChange(sim_alone, in), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace cellfleet::client
