// The one per-board renderer: the same failure reads the same in every format, tables
// fit their data and the terminal, CSV quotes what it must.
#include "client/report.h"

#include <sstream>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cellfleet::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const fleet::Board kNamed = {"rock-001", "10.8.0.11:50051", {}};
const fleet::Board kByAddress = {"127.0.0.1:7001", "127.0.0.1:7001", {}};
const fleet::Board kDown = {"rock-003", "127.0.0.1:7003", {}};

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

TEST(TableTest, ColumnsAreAsWideAsTheirDataAndTheLastIsCutToTheWidth) {
  const std::string table =
      RenderTable({"BOARD", "STATE", "NOTE"},
                  {{"a", "READY", "short"}, {"long-board-name", "-", std::string(200, 'x')}},
                  /*max_width=*/40);
  std::vector<std::string> lines = Lines(table);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "BOARD            STATE  NOTE");
  EXPECT_EQ(lines[1], "a                READY  short");
  EXPECT_EQ(lines[2].size(), 40u);
  EXPECT_THAT(lines[2], ::testing::EndsWith("xxx..."));
  // Without a terminal nothing is cut.
  EXPECT_THAT(RenderTable({"A", "B"}, {{"1", std::string(300, 'y')}}),
              HasSubstr(std::string(300, 'y')));
}

TEST(TableTest, CsvQuotesCommasQuotesAndLineBreaks) {
  EXPECT_EQ(RenderCsv({"BOARD", "DETAIL"}, {{"b1", "plain"}, {"b2", "a, \"quoted\"\nline"}}),
            "BOARD,DETAIL\r\nb1,plain\r\nb2,\"a, \"\"quoted\"\"\nline\"\r\n");
}

TEST(BoardReportTest, TableRowsFailuresAndOneSummaryLine) {
  std::ostringstream out, err;
  BoardReport report(OutputFormat::kTable, {"STATE", "NOTE"}, out);
  report.AddRow(kNamed, {"READY", ""}, {{"state", "READY"}});
  report.AddRow(kByAddress, {"READY", ""}, {}, "agent-says-rock-002");
  report.AddFailure(kDown, grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused"));
  report.AddFailure(kNamed, grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "viewer"));
  EXPECT_EQ(report.Finish(err), 2);
  std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_THAT(lines[1], ::testing::StartsWith("rock-001 "));
  // --targets gives no name: the agent's own is shown.
  EXPECT_THAT(lines[2], ::testing::StartsWith("agent-says-rock-002 "));
  EXPECT_THAT(lines[3],
              ::testing::MatchesRegex("rock-003 +UNREACHABLE +UNAVAILABLE: connection refused"));
  EXPECT_THAT(lines[4], ::testing::MatchesRegex("rock-001 +FAILED +PERMISSION_DENIED: viewer"));
  EXPECT_EQ(err.str(),
            "2 of 4 boards answered; 1 of 4 boards did not answer (UNAVAILABLE 1); 1 answered "
            "with an error (PERMISSION_DENIED 1)\n");
}

TEST(BoardReportTest, JsonLinesCarryTheSameFieldsForEveryCommand) {
  std::ostringstream out, err;
  BoardReport report(OutputFormat::kJson, {"STATE"}, out);
  report.AddRow(kNamed, {"READY"}, {{"status", {{"modem_state", "MODEM_STATE_READY"}}}});
  report.AddFailure(kDown, grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "slow"));
  report.Finish(err);
  std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 2u);
  nlohmann::json ok = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(ok["board"], "rock-001");
  EXPECT_EQ(ok["address"], "10.8.0.11:50051");
  EXPECT_EQ(ok["ok"], true);
  EXPECT_EQ(ok["status"]["modem_state"], "MODEM_STATE_READY");
  nlohmann::json failed = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(failed["ok"], false);
  EXPECT_EQ(failed["address"], "127.0.0.1:7003");
  EXPECT_EQ(failed["error"]["code"], "DEADLINE_EXCEEDED");
  EXPECT_EQ(failed["error"]["message"], "slow");
  EXPECT_EQ(err.str(),
            "1 of 2 boards answered; 1 of 2 boards did not answer (DEADLINE_EXCEEDED 1)\n");
}

TEST(BoardReportTest, CsvHasTheTablesHeaderAndRows) {
  std::ostringstream out, err;
  BoardReport report(OutputFormat::kCsv, {"VERDICT", "PROBLEMS"}, out);
  report.AddRow(kNamed, {"WARN", "signal: RSRP -105 dBm, weak"}, {});
  report.AddDetailRow({"-", "more"});
  report.AddFailure(kDown, grpc::Status(grpc::StatusCode::UNAVAILABLE, "down"));
  report.Finish(err);
  EXPECT_THAT(
      Lines(out.str()),
      ElementsAre("BOARD,VERDICT,PROBLEMS\r", "rock-001,WARN,\"signal: RSRP -105 dBm, weak\"\r",
                  ",-,more\r", "rock-003,UNREACHABLE,UNAVAILABLE: down\r"));
}

TEST(BoardReportTest, OutputFormatNames) {
  EXPECT_EQ(*ParseOutputFormat("csv"), OutputFormat::kCsv);
  EXPECT_EQ(ParseOutputFormat("yaml").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cellfleet::client
