#include "modem/replies/command_line.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/testing/status_matchers.h"

namespace cellfleet::modem {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

CommandLine Parsed(absl::string_view text) {
  absl::StatusOr<CommandLine> line = ParseCommandLine(text);
  EXPECT_THAT(line, IsOk()) << text;
  return line.ok() ? *line : CommandLine{};
}

TEST(CommandLineTest, QueriesAreRecognisedByFormAndByName) {
  for (absl::string_view text :
       {"AT+CSQ", "at+csq", "AT+COPS?", "AT+CFUN=?", "ATI", "AT", "AT+QENG=\"neighbourcell\"",
        "AT+QCFG=\"band\"", "AT+CGSN", "ATS0?", "AT+QCCID", " AT+CREG? "}) {
    CommandLine line = Parsed(text);
    EXPECT_TRUE(line.query()) << text;
    EXPECT_FALSE(line.chained()) << text;
    EXPECT_THAT(line.forbidden(), IsEmpty()) << text;
  }
  for (absl::string_view text :
       {"AT+CGDCONT=1,\"IP\",\"internet\"", "AT+QCFG=\"band\",0,80,0", "AT+CFUN=1", "ATE1",
        "AT+COPS=0", "ATS0=1", "AT+QPING=1,\"127.0.0.1\""}) {
    EXPECT_FALSE(Parsed(text).query()) << text;
  }
}

TEST(CommandLineTest, NamesAndReplyPrefix) {
  CommandLine line = Parsed("AT+QENG=\"servingcell\"");
  ASSERT_EQ(line.parts.size(), 1u);
  EXPECT_EQ(line.parts[0].name, "+QENG");
  EXPECT_EQ(line.parts[0].AsCommand(), "AT+QENG=\"servingcell\"");
  EXPECT_EQ(line.ReplyPrefix(), "+QENG:");
  EXPECT_EQ(Parsed("ATI").ReplyPrefix(), "");
}

TEST(CommandLineTest, ChainedCommandsAreSplitOutsideStrings) {
  CommandLine line = Parsed("AT+CSQ;+COPS?;");
  ASSERT_EQ(line.parts.size(), 2u);
  EXPECT_TRUE(line.chained());
  EXPECT_EQ(line.parts[1].AsCommand(), "AT+COPS?");
  // A ';' inside a string is not a separator.
  EXPECT_FALSE(Parsed("AT+CGDCONT=1,\"IP\",\"a;b\"").chained());
  // Basic commands back to back, then an extended one: three commands.
  line = Parsed("ATE0V1+CMEE=2");
  ASSERT_EQ(line.parts.size(), 3u);
  EXPECT_EQ(line.parts[0].name, "E");
  EXPECT_EQ(line.parts[1].name, "V");
  EXPECT_EQ(line.parts[2].name, "+CMEE");
  EXPECT_EQ(line.MaxResponseTime(), absl::Milliseconds(900));
}

TEST(CommandLineTest, ForbiddenWhateverThePolicy) {
  for (absl::string_view text : {"ATD*99#",
                                 "ATDT#777",
                                 "ATA",
                                 "ATO",
                                 "AT+CGDATA=\"PPP\",1",
                                 "ATV0",
                                 "ATV",
                                 "ATQ1",
                                 "ATZ",
                                 "AT&F",
                                 "AT+IPR=9600",
                                 "AT+CMUX=0",
                                 "AT+QURCCFG=\"urcport\",\"uart1\"",
                                 "AT+QCFG=\"usbnet\",1",
                                 "AT+QCFG=\"USBCFG\",0x2C7C,0x0125,1,1,1,1,1,0,0",
                                 "AT+QFOTADL=\"http://example.invalid/fw.zip\"",
                                 "AT+QFDEL=\"*\"",
                                 "AT+QFUPL=\"a.txt\",10",
                                 "AT+CSQ;+IPR=9600",
                                 "AT+CMGS=\"+15550100\"",
                                 "AT+CMGW",
                                 "ATS3=10",
                                 "ATS4=13"}) {
    EXPECT_THAT(Parsed(text).forbidden(), Not(IsEmpty())) << text;
  }
  EXPECT_THAT(Parsed("AT+CMGS=\"+15550100\"").forbidden(), HasSubstr("'>' prompt"));
  EXPECT_THAT(Parsed("ATS3=10").forbidden(), HasSubstr("ends command lines or replies"));
  // Reading the same settings is fine.
  for (absl::string_view text : {"AT+IPR?", "AT+QCFG=\"usbnet\"", "AT+QFLST=\"*\"", "ATV1", "ATQ0",
                                 "AT+QURCCFG=\"urcport\"", "ATS3?", "AT+CMGS=?"}) {
    EXPECT_THAT(Parsed(text).forbidden(), IsEmpty()) << text;
  }
  EXPECT_THAT(Parsed("AT+QFDEL=\"*\"").forbidden(), HasSubstr("file system"));
  EXPECT_THAT(Parsed("ATD*99#").forbidden(), HasSubstr("with `cellfleet dial`"));
}

TEST(CommandLineTest, HazardsAreNamedAndOnlyInTheirWritingForms) {
  for (absl::string_view text : {"AT+CRSM=176,28539,0,0,12", "AT+CSIM=10,\"0020000100\"",
                                 "AT+QNVFW=\"/nv/item_files/modem/mmode/ue_usage_setting\",01",
                                 "AT&W", "AT&W0", "AT+QPRTPARA=3"}) {
    const CommandLine line = Parsed(text);
    ASSERT_EQ(line.parts.size(), 1u) << text;
    EXPECT_THAT(line.parts[0].hazard, Not(IsEmpty())) << text;
    EXPECT_THAT(line.forbidden(), IsEmpty()) << text;  // an explicit pattern may allow it
  }
  EXPECT_THAT(Parsed("AT+CRSM=176,28539,0,0,12").parts[0].hazard, HasSubstr("lock the SIM"));
  for (absl::string_view text : {"AT+CRSM=?", "AT+CSQ", "AT+QPRTPARA?"}) {
    EXPECT_THAT(Parsed(text).parts[0].hazard, IsEmpty()) << text;
  }
}

TEST(CommandLineTest, CommandsThatTakeTheModemAway) {
  // Every spelling of a reset the modem reads as one: leading zeros, quotes, blanks.
  for (absl::string_view text :
       {"AT+CFUN=1,1", "AT+CFUN=1,01", "AT+CFUN=01,1", "AT+CFUN=1,\"1\"", "AT+CFUN= 1 , 1",
        "at+cfun=1,1", "AT+CFUN=0", "AT+CFUN=00", "AT+CFUN=4", "AT+CFUN=7", "AT+CFUN=1,x",
        "AT+QPOWD", "AT+QPOWD=1", "AT+QRST=1,0", "AT+CSQ;+CFUN=0"}) {
    EXPECT_TRUE(Parsed(text).takes_modem_away()) << text;
  }
  for (absl::string_view text : {"AT+CFUN=1", "AT+CFUN=01", "AT+CFUN=1,0", "AT+CFUN=1,00",
                                 "AT+CFUN?", "AT+CFUN=?", "AT+CSQ"}) {
    EXPECT_FALSE(Parsed(text).takes_modem_away()) << text;
  }
}

TEST(CommandLineTest, BadLinesSayWhatIsWrong) {
  EXPECT_THAT(ParseCommandLine(""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty command")));
  EXPECT_THAT(ParseCommandLine("+CSQ"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("does not start with AT")));
  EXPECT_THAT(ParseCommandLine("AT+CSQ\r\nAT+CFUN=0"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("0x0d at column 7")));
  EXPECT_THAT(ParseCommandLine("AT+CSQ\x1b"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not printable ASCII")));
  EXPECT_THAT(ParseCommandLine("AT+COPS=\"caf\xc3\xa9\""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("0xc3")));
  EXPECT_THAT(ParseCommandLine("AT+" + std::string(300, 'A')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at most 256")));
  EXPECT_THAT(ParseCommandLine("AT+CGDCONT=1,\"IP"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not terminated")));
  EXPECT_THAT(ParseCommandLine("AT+CSQ;;+COPS?"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty command between")));
  EXPECT_THAT(ParseCommandLine("AT+"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("command name must follow")));
  EXPECT_THAT(ParseCommandLine("AT+CSQ!?x"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unexpected")));
  EXPECT_THAT(ParseCommandLine("AT#1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unexpected '#'")));
}

TEST(CommandLineTest, EscapesBytesThatAreNotText) {
  size_t escaped = 0;
  EXPECT_EQ(EscapeNonText("ab\x01\xff\tc", &escaped), "ab\\x01\\xff\tc");
  EXPECT_EQ(escaped, 2u);
  EXPECT_EQ(EscapeNonText("+CSQ: 20,99", &escaped), "+CSQ: 20,99");
  EXPECT_EQ(escaped, 0u);
}

}  // namespace
}  // namespace cellfleet::modem
