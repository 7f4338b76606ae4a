#include "client/prometheus_range.h"

#include "base/clock.h"
#include "gtest/gtest.h"

namespace cellfleet::client {
namespace {

TEST(PrometheusRangeTest, AMatrixIsASeriesPerBoardInNameOrder) {
  absl::StatusOr<std::vector<ChartSeries>> series = ParseRangeAnswer(R"({"status":"success",
    "data":{"resultType":"matrix","result":[
      {"metric":{"__name__":"cellfleet_signal_rsrp_dbm","board":"rock-002","job":"j"},
       "values":[[1800000000,"-97"],[1800000015.5,"-99.5"]]},
      {"metric":{"board":"rock-001"},"values":[[1800000000,"-80"]]},
      {"metric":{"region":"north"},"values":[]}]}})");
  ASSERT_TRUE(series.ok()) << series.status();
  ASSERT_EQ(series->size(), 3u);
  EXPECT_EQ((*series)[0].title, "region=north");  // no board label: its labels
  EXPECT_EQ((*series)[1].title, "rock-001");
  const ChartSeries& b2 = (*series)[2];
  EXPECT_EQ(b2.title, "rock-002");
  ASSERT_EQ(b2.points.size(), 2u);
  EXPECT_EQ(b2.points[1].at, absl::FromUnixMillis(1800000015500));
  EXPECT_EQ(b2.points[1].value, -99.5);
}

TEST(PrometheusRangeTest, ARefusedQueryOrAnOddAnswerIsAClearError) {
  absl::StatusOr<std::vector<ChartSeries>> refused = ParseRangeAnswer(
      R"({"status":"error","errorType":"bad_data","error":"parse error at char 5"})");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("parse error at char 5"), std::string::npos);
  EXPECT_EQ(ParseRangeAnswer("<html>proxy error</html>").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(ParseRangeAnswer(R"({"status":"success","data":{"resultType":"vector","result":[]}})")
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(ParseRangeAnswer(R"({"status":"success","data":{"resultType":"matrix","result":[
      {"metric":{"board":"b"},"values":[[1800000000,"NaN-ish"]]}]}})")
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
}

TEST(PrometheusRangeTest, NoPrometheusThereIsUnavailable) {
  RangeQuery query;
  query.prometheus = "http://127.0.0.1:1";  // nothing listens on port 1 of loopback
  query.promql = "up";
  query.end = base::Clock::Real().Now();
  query.start = query.end - absl::Minutes(5);
  query.timeout = absl::Seconds(5);
  EXPECT_EQ(QueryRange(query).status().code(), absl::StatusCode::kUnavailable);
  query.prometheus = "prometheus:9090";
  EXPECT_EQ(QueryRange(query).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cellfleet::client
