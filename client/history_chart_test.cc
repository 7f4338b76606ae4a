#include "client/history_chart.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/time_convert.h"

namespace cellfleet::client {
namespace {

using ::testing::HasSubstr;

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);

// A minute of samples every 5 s, RSRP falling 1 dB a sample, with no signal between
// 20 and 40 s (the modem searching), and the events of that: registration lost and
// back, the cell changed, a reset.
v1::GetHistoryResponse FadingBoard() {
  v1::GetHistoryResponse history;
  for (int s = 0; s <= 60; s += 5) {
    v1::HistoryEntry& e = *history.add_entries();
    *e.mutable_at() = ToProtoTime(kStart + absl::Seconds(s));
    v1::ModemStatus& status = *e.mutable_sample();
    status.set_modem_state(v1::MODEM_STATE_READY);
    if (s > 20 && s < 40) continue;  // searching: no serving cell
    v1::LteServingCell& lte = *status.mutable_serving_cell()->mutable_lte();
    lte.set_rsrp_dbm(-90 - s / 5);
    lte.set_rsrq_db(-10);
    lte.set_sinr_db(12.5);
  }
  auto event = [&history](int s, v1::EventKind kind, const std::string& detail) {
    v1::HistoryEntry& e = *history.add_entries();
    *e.mutable_at() = ToProtoTime(kStart + absl::Seconds(s));
    e.mutable_event()->set_kind(kind);
    e.mutable_event()->set_detail(detail);
  };
  event(21, v1::EVENT_KIND_REGISTRATION_CHANGED,
        "EPS REGISTRATION_STATE_HOME -> REGISTRATION_STATE_SEARCHING");
  event(40, v1::EVENT_KIND_CELL_CHANGED, "LTE 91712001/413 -> LTE 91712002/433");
  event(50, v1::EVENT_KIND_MODEM_STATE_CHANGED,
        "MODEM_STATE_READY -> MODEM_STATE_ABSENT: /dev/ttyUSB2: device closed");
  event(52, v1::EVENT_KIND_CONFIG_APPLIED, "version 3");  // not a mark
  return history;
}

TEST(HistoryChartTest, DrawsTheThreeSignalsWithGapsAndMarksTheEventsOperatorsLookFor) {
  const Chart chart = HistoryChart("rock-001", FadingBoard());
  ASSERT_EQ(chart.panels.size(), 3u);
  EXPECT_EQ(chart.panels[0].y_label, "RSRP (dBm)");
  const ChartSeries& rsrp = chart.panels[0].series[0];
  ASSERT_EQ(rsrp.points.size(), 10u);  // 13 samples, 3 without a cell
  EXPECT_EQ(rsrp.points.front().value, -90);
  EXPECT_EQ(rsrp.points.back().value, -102);
  // Samples 5 s apart: the 20 s without signal is a gap in the line, not a slope.
  EXPECT_EQ(rsrp.gap_after, absl::Seconds(15));
  EXPECT_THAT(GnuplotScript(chart, "out.svg", false),
              HasSubstr("1800000020.000 -94\n\n1800000040.000 -98\n"));
  EXPECT_EQ(chart.panels[2].series[0].points.front().value, 12.5);

  ASSERT_EQ(chart.marks.size(), 3u);
  EXPECT_EQ(chart.marks[0].kind, "registration change");
  EXPECT_EQ(chart.marks[0].label, "EPS HOME -> SEARCHING");
  EXPECT_EQ(chart.marks[1].kind, "cell change");
  EXPECT_EQ(chart.marks[2].kind, "modem reset");
  EXPECT_EQ(chart.marks[2].label, "READY -> ABSENT");
}

// Labels of marks closer than a label's width (about 14 px of a 1000 px plot) are joined:
// at 1/150 of the window they were drawn apart and overlapped. Marks further apart keep
// their own labels.
TEST(HistoryChartTest, LabelsOfMarksCloserThanALabelsWidthAreJoined) {
  Chart chart = HistoryChart("rock-001", FadingBoard());  // 60 s: a label is 0.84 s wide
  chart.marks = {{kStart + absl::Milliseconds(10000), "cell change", "A"},
                 {kStart + absl::Milliseconds(10600), "cell change", "B"},
                 {kStart + absl::Seconds(30), "cell change", "C"}};
  const std::string script = GnuplotScript(chart, "out.svg", false);
  EXPECT_THAT(script, HasSubstr("set label 1 'A; B'"));
  EXPECT_THAT(script, HasSubstr("set label 2 'C'"));
  EXPECT_THAT(script, ::testing::Not(HasSubstr("set label 3 ")));
}

// A fresh board has one sample: no chart (it would be three empty panels), and the reason
// says when there will be enough. Two samples draw (positive control).
TEST(HistoryChartTest, TooLittleHistoryIsRefusedSayingWhenThereWillBeEnough) {
  v1::GetHistoryResponse fresh = FadingBoard();
  while (fresh.entries_size() > 1) fresh.mutable_entries()->RemoveLast();
  *fresh.mutable_sample_interval() = ToProtoDuration(absl::Minutes(1));
  const absl::Status refused = EnoughToDraw(HistoryChart("board-06", fresh), fresh);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("too little history to draw: 1 sample"));
  EXPECT_THAT(refused.message(), HasSubstr("it keeps one every 1m: try again in 1m"));

  v1::GetHistoryResponse two = FadingBoard();
  while (two.entries_size() > 2) two.mutable_entries()->RemoveLast();
  EXPECT_TRUE(EnoughToDraw(HistoryChart("board-06", two), two).ok());
}

TEST(HistoryChartTest, GnuplotDrawsAValidSvgWithEverySeriesAndMarkInItsLegend) {
  const std::string path = ::testing::TempDir() + "/history-chart-test.svg";
  ASSERT_TRUE(RenderChart(HistoryChart("rock-001", FadingBoard()), path).ok());
  std::ifstream in(path);
  std::stringstream svg;
  svg << in.rdbuf();
  const std::string text = svg.str();
  EXPECT_TRUE(absl::StartsWith(text, "<?xml")) << text.substr(0, 80);
  EXPECT_THAT(text, HasSubstr("</svg>"));
  for (const char* legend : {">RSRP<", ">RSRQ<", ">SINR<", ">registration change<", ">cell change<",
                             ">modem reset<", ">rock-001: serving cell signal<"}) {
    EXPECT_THAT(text, HasSubstr(legend));
  }
  std::remove(path.c_str());
}

TEST(HistoryChartTest, AFailedDrawingLeavesTheOldFileAndSaysWhy) {
  const std::string path = ::testing::TempDir() + "/history-chart-old.svg";
  std::ofstream(path) << "old";
  EXPECT_EQ(RenderChart(HistoryChart("b", v1::GetHistoryResponse()), path).code(),
            absl::StatusCode::kInvalidArgument);  // nothing to draw
  EXPECT_EQ(RenderChart(HistoryChart("b", FadingBoard()), path + ".jpg").code(),
            absl::StatusCode::kInvalidArgument);
  const absl::Status missing =
      RenderChart(HistoryChart("b", FadingBoard()), path, "/nonexistent/gnuplot");
  EXPECT_EQ(missing.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(missing.message()), HasSubstr("gnuplot-nox"));
  // gnuplot itself failing (here: /bin/false in its place).
  EXPECT_EQ(RenderChart(HistoryChart("b", FadingBoard()), path, "/bin/false").code(),
            absl::StatusCode::kFailedPrecondition);
  std::ifstream in(path);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "old");
  std::remove(path.c_str());
}

// Names and event words come from agents: gnuplot must draw them, never run them.
TEST(HistoryChartTest, QuotesAndBackquotesFromAnAgentAreDrawnNotRun) {
  const std::string ran = ::testing::TempDir() + "/history-chart-ran";
  std::remove(ran.c_str());
  v1::GetHistoryResponse history = FadingBoard();
  v1::HistoryEntry& e = *history.add_entries();
  *e.mutable_at() = ToProtoTime(kStart + absl::Seconds(55));
  e.mutable_event()->set_kind(v1::EVENT_KIND_LINK_DOWN);
  e.mutable_event()->set_detail(absl::StrCat("it's `touch ", ran, "`\nset output '/x'"));
  const std::string path = ::testing::TempDir() + "/history-chart-quotes.svg";
  ASSERT_TRUE(RenderChart(HistoryChart("rock's `touch " + ran + "`", history), path).ok());
  EXPECT_NE(::access(ran.c_str(), F_OK), 0) << "a backquote in a label ran a command";
  std::ifstream in(path);
  const std::string svg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(svg.find("<text>rock's `touch"), std::string::npos) << "the name drawn as given";
  std::remove(path.c_str());
}

}  // namespace
}  // namespace cellfleet::client
