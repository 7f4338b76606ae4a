#include "client/table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace cellfleet::client {
namespace {

constexpr size_t kGap = 2;
constexpr absl::string_view kCut = "...";

std::string CsvField(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

std::string RenderTable(const Row& header, const std::vector<Row>& rows, size_t max_width) {
  std::vector<size_t> widths(header.size(), 0);
  auto measure = [&](const Row& row) {
    for (size_t i = 0; i + 1 < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  };
  measure(header);
  for (const Row& row : rows) measure(row);
  auto render = [&](const Row& row) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i + 1 < row.size()) {
        const size_t width = i < widths.size() ? widths[i] : row[i].size();
        absl::StrAppend(&line, row[i], std::string(width - row[i].size() + kGap, ' '));
        continue;
      }
      std::string last = row[i];  // no trailing blanks; cut to the terminal's width
      if (max_width > 0 && line.size() + last.size() > max_width) {
        const size_t room = max_width > line.size() + kCut.size() ? max_width - line.size() : 0;
        last = room > kCut.size() ? absl::StrCat(last.substr(0, room - kCut.size()), kCut) : "";
      }
      absl::StrAppend(&line, last);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line + "\n";
  };
  std::string out = render(header);
  for (const Row& row : rows) out += render(row);
  return out;
}

std::string RenderCsv(const Row& header, const std::vector<Row>& rows) {
  auto render = [](const Row& row) {
    std::vector<std::string> fields;
    fields.reserve(row.size());
    for (const std::string& cell : row) fields.push_back(CsvField(cell));
    return absl::StrCat(absl::StrJoin(fields, ","), "\r\n");
  };
  std::string out = render(header);
  for (const Row& row : rows) out += render(row);
  return out;
}

}  // namespace cellfleet::client
