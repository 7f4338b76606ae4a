// The status-reply table, as the agent uses it: by the command an operator asked, over the
// real modem replies in ../shared/testdata/at-captures (the CLI's decoder reads the same
// captures by their lines in client/reply_decoder_test.cc).
#include "convert/reply_to_status.h"

#include <fstream>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace cellfleet::convert {
namespace {

modem::CommandLine Line(absl::string_view text) {
  absl::StatusOr<modem::CommandLine> line = modem::ParseCommandLine(text);
  EXPECT_TRUE(line.ok()) << line.status();
  return line.ok() ? *line : modem::CommandLine{};
}

std::vector<std::string> Lines(absl::string_view raw) {
  return absl::StrSplit(raw, '\n', absl::SkipEmpty());
}

TEST(ReplyToStatusTest, EveryCaptureOfAStatusCommandFillsItsField) {
  std::ifstream in(CELLFLEET_CAPTURES_JSON);
  ASSERT_TRUE(in) << CELLFLEET_CAPTURES_JSON;
  int decoded = 0;
  for (const nlohmann::json& item : nlohmann::json::parse(in)) {
    const std::string command = item["command"];
    absl::StatusOr<modem::CommandLine> line = modem::ParseCommandLine(command);
    if (!line.ok() || line->chained() || StatusReplyAskedBy(line->parts[0]) == nullptr) continue;
    const std::string id = item["id"];
    v1::ModemStatus status;
    // +CME ERROR instead of the reply: nothing to fill, and no field made up.
    const bool error = absl::StartsWith(item["raw"].get<std::string>(), "+CME ERROR");
    EXPECT_EQ(DecodeReply(*line, Lines(item["raw"].get<std::string>()), status), !error) << id;
    EXPECT_EQ(status.ByteSizeLong() > 0, !error) << id;
    decoded += error ? 0 : 1;
  }
  EXPECT_GE(decoded, 30);  // the captures hold about forty such replies
}

TEST(ReplyToStatusTest, EachReplyLandsInTheFieldStatusShows) {
  v1::ModemStatus status;
  ASSERT_TRUE(DecodeReply(Line("AT+CEREG?"), {"+CEREG: 2,1,\"3193\",\"08F381C5\",7"}, status));
  EXPECT_TRUE(status.has_eps_registration());
  EXPECT_FALSE(status.has_cs_registration());
  status.Clear();
  ASSERT_TRUE(DecodeReply(Line("AT+CIMI"), {"460083265908345", "OK"}, status));
  EXPECT_EQ(status.identity().imsi(), "460083265908345");
  status.Clear();
  ASSERT_TRUE(DecodeReply(Line("ATI"), {"Quectel", "EP06", "Revision: EP06ELAR03A08M4G"}, status));
  EXPECT_EQ(status.identity().model(), "EP06");
}

TEST(ReplyToStatusTest, SettingsAndOtherReportsAreNotStatusReplies) {
  // Positive control first: the read forms are.
  EXPECT_NE(StatusReplyAskedBy(Line("AT+COPS?").parts[0]), nullptr);
  EXPECT_NE(StatusReplyAskedBy(Line("AT+QENG=\"servingcell\"").parts[0]), nullptr);
  EXPECT_EQ(StatusReplyAskedBy(Line("AT+COPS=0").parts[0]), nullptr);
  EXPECT_EQ(StatusReplyAskedBy(Line("AT+CREG=2").parts[0]), nullptr);
  EXPECT_EQ(StatusReplyAskedBy(Line("AT+QENG=\"neighbourcell\"").parts[0]), nullptr);
  EXPECT_EQ(StatusReplyAskedBy(Line("AT+QCAINFO").parts[0]), nullptr);
  v1::ModemStatus status;
  EXPECT_FALSE(DecodeReply(Line("AT+CSQ;+COPS?"), {"+CSQ: 11,99", "+COPS: 0"}, status));
  // A domain a status does not carry is refused with its name, not put in another field.
  const StatusReply* creg = StatusReplyAskedBy(Line("AT+CREG?").parts[0]);
  ASSERT_NE(creg, nullptr);
  absl::Status c5g = creg->fill({"+C5GREG: 2,1,\"114000\",\"100072000\",11"}, status);
  EXPECT_THAT(c5g.message(), ::testing::HasSubstr("+C5GREG"));
  EXPECT_EQ(status.ByteSizeLong(), 0u);
}

TEST(ReplyToStatusTest, MalformedRepliesFillNothing) {
  v1::ModemStatus status;
  EXPECT_FALSE(DecodeReply(Line("AT+CSQ"), {"+CSQ: banana"}, status));
  EXPECT_FALSE(DecodeReply(Line("AT+CSQ"), {}, status));
  EXPECT_FALSE(DecodeReply(Line("AT+CGSN"), {"OK"}, status));
  EXPECT_FALSE(DecodeReply(Line("AT+CIMI"), {"12ab"}, status));
  EXPECT_EQ(status.ByteSizeLong(), 0u);
}

TEST(ReplyToStatusTest, LinesAreKnownByTheirPrefixOnlyWhereTheyHaveOne) {
  ASSERT_NE(StatusReplyOfLine("+csq: 11,99"), nullptr);
  EXPECT_EQ(StatusReplyOfLine("+csq: 11,99")->name, "+CSQ");
  EXPECT_EQ(StatusReplyOfLine("460083265908345"), nullptr);  // a bare IMSI: by its echo
  EXPECT_EQ(StatusReplyOfLine("+CREG: 1,\"D509\",\"80D413D\",7"), nullptr);  // may be a URC
  std::set<absl::string_view> names;
  for (absl::string_view line : {"+CSQ: 1,2", "+COPS: 0", "+CPIN: READY", "+QCCID: 1"}) {
    names.insert(StatusReplyOfLine(line)->name);
  }
  EXPECT_EQ(names.size(), 4u);
}

}  // namespace
}  // namespace cellfleet::convert
