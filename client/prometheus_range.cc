#include "client/prometheus_range.h"

#include <httplib.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"

namespace cellfleet::client {
namespace {

// {board="rock-001"} reads "rock-001"; a series without one, its labels but __name__.
std::string SeriesName(const nlohmann::json& metric) {
  if (metric.contains("board") && metric["board"].is_string()) return metric["board"];
  std::vector<std::string> labels;
  for (const auto& [key, value] : metric.items()) {
    if (key != "__name__" && value.is_string()) {
      labels.push_back(absl::StrCat(key, "=", value.get<std::string>()));
    }
  }
  return labels.empty() ? "value" : absl::StrJoin(labels, ",");
}

// Unix seconds with milliseconds ("%g" would round a date to 1.8e+09).
std::string UnixSecondsParam(absl::Time t) {
  return absl::StrFormat("%.3f", absl::ToDoubleSeconds(t - absl::UnixEpoch()));
}

}  // namespace

absl::StatusOr<std::vector<ChartSeries>> ParseRangeAnswer(const std::string& json) {
  const nlohmann::json answer = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (answer.is_discarded() || !answer.is_object()) {
    return absl::DataLossError("Prometheus answered with something that is not JSON");
  }
  if (answer.value("status", "") != "success") {
    return absl::InvalidArgumentError(
        absl::StrCat("Prometheus refused the query: ", answer.value("errorType", "error"), ": ",
                     answer.value("error", "(no reason given)")));
  }
  const nlohmann::json& data = answer.contains("data") ? answer["data"] : nlohmann::json();
  if (!data.is_object() || data.value("resultType", "") != "matrix" || !data.contains("result") ||
      !data["result"].is_array()) {
    return absl::DataLossError("Prometheus's answer holds no matrix (a range query's result)");
  }
  std::vector<ChartSeries> series;
  for (const nlohmann::json& result : data["result"]) {
    if (!result.is_object() || !result.contains("values") || !result["values"].is_array()) {
      return absl::DataLossError("a series in Prometheus's answer has no values");
    }
    ChartSeries s;
    s.title = SeriesName(result.contains("metric") ? result["metric"] : nlohmann::json::object());
    for (const nlohmann::json& pair : result["values"]) {
      double value = 0;
      if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number() || !pair[1].is_string() ||
          !absl::SimpleAtod(pair[1].get<std::string>(), &value)) {
        return absl::DataLossError(
            absl::StrCat("a value of ", s.title, " is not [time, \"number\"]"));
      }
      s.points.push_back(
          {absl::FromUnixMillis(static_cast<int64_t>(pair[0].get<double>() * 1000)), value});
    }
    series.push_back(std::move(s));
  }
  std::sort(series.begin(), series.end(),
            [](const ChartSeries& a, const ChartSeries& b) { return a.title < b.title; });
  return series;
}

absl::StatusOr<std::vector<ChartSeries>> QueryRange(const RangeQuery& query) {
  const std::string base(absl::StripSuffix(query.prometheus, "/"));
  if (!absl::StartsWith(base, "http://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("--prometheus ", query.prometheus, ": expected http://HOST:PORT"));
  }
  httplib::Client client(base);
  const auto timeout = absl::ToChronoSeconds(query.timeout);
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  const httplib::Params params = {
      {"query", query.promql},
      {"start", UnixSecondsParam(query.start)},
      {"end", UnixSecondsParam(query.end)},
      {"step", absl::StrFormat("%.3f", absl::ToDoubleSeconds(query.step))}};
  httplib::Result answer = client.Get("/api/v1/query_range", params, httplib::Headers());
  if (!answer) {
    return absl::UnavailableError(absl::StrCat("cannot reach Prometheus at ", base, ": ",
                                               httplib::to_string(answer.error())));
  }
  // A refused query is 400 or 422 with a JSON body that says why.
  if (answer->status != 200 && answer->status != 400 && answer->status != 422) {
    return absl::UnavailableError(
        absl::StrCat("Prometheus at ", base, " answered HTTP ", answer->status));
  }
  return ParseRangeAnswer(answer->body);
}

}  // namespace cellfleet::client
