#include "client/reply_decoder.h"

#include <fstream>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cellfleet::client {
namespace {

TEST(ReplyDecoderTest, DecodesAPicocomSession) {
  DecodeResult result = DecodeModemOutput(
      "AT+QENG=\"servingcell\"\r\r\n+QENG: "
      "\"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",460,01,19A358C,366,100,1,5,5,"
      "774E,-108,-5,-83,9,13\r\n\r\nOK\r\nAT+CSQ\r\n+CSQ: 14,99\r\nOK\r\nAT+CREG?\r\n+CREG: "
      "0,1\r\nOK\r\n"
      "AT+COPS?\r\n+COPS: 1,0,\"CHN-UNICOM\",7\r\nOK\r\nAT+CPIN?\r\n+CME ERROR: 10\r\n");
  EXPECT_TRUE(result.problems.empty()) << result.problems.front();
  ASSERT_EQ(result.replies.size(), 5u);
  // The same fields as a status's (`status -o json`): one conversion for both.
  const nlohmann::json& qeng = result.replies[0];
  EXPECT_EQ(qeng["command"], "+QENG");
  const nlohmann::json& cell = qeng["serving_cell"];
  EXPECT_EQ(cell["radio_technology"], "RADIO_TECHNOLOGY_LTE");
  EXPECT_EQ(cell["state"], "SERVING_CELL_STATE_NOCONN");
  const nlohmann::json& lte = cell["lte"];
  EXPECT_EQ(lte["duplex"], "DUPLEX_FDD");
  EXPECT_EQ(lte["mcc"], 460);
  EXPECT_EQ(lte["mnc"], "01");
  EXPECT_EQ(lte["cell_id"], "26883468");  // uint64: a string in proto JSON
  EXPECT_EQ(lte["pci"], 366);
  EXPECT_EQ(lte["earfcn"], 100);
  EXPECT_EQ(lte["band"], 1);
  EXPECT_EQ(lte["tac"], 30542);
  EXPECT_EQ(lte["rsrp_dbm"], -108);
  EXPECT_EQ(lte["rsrq_db"], -5);
  EXPECT_EQ(lte["rssi_dbm"], -83);
  EXPECT_EQ(lte["sinr_db"], 9.0);
  EXPECT_EQ(result.replies[1]["signal"]["rssi_dbm"], -85);
  EXPECT_FALSE(result.replies[1]["signal"].contains("ber_code"));  // 99: unknown
  EXPECT_EQ(result.replies[2]["command"], "+CREG");
  EXPECT_EQ(result.replies[2]["registration"]["stat_code"], 1);
  EXPECT_EQ(result.replies[2]["registration"]["state"], "REGISTRATION_STATE_HOME");
  EXPECT_EQ(result.replies[3]["operator"]["name"], "CHN-UNICOM");
  EXPECT_EQ(result.replies[3]["operator"]["access_technology"], "ACCESS_TECHNOLOGY_EUTRAN");
  EXPECT_EQ(result.replies[4]["error_code"], 10);
  EXPECT_EQ(result.replies[4]["sim_state"], "SIM_STATE_NOT_INSERTED");
}

TEST(ReplyDecoderTest, RegistrationUrcHasNoN) {
  DecodeResult result = DecodeModemOutput("+CREG: 1,\"D509\",\"80D413D\",7\n");
  ASSERT_EQ(result.replies.size(), 1u);
  EXPECT_EQ(result.replies[0]["solicited"], false);
  EXPECT_EQ(result.replies[0]["registration"]["location_area_code"], 0xD509);
  EXPECT_EQ(result.replies[0]["registration"]["cell_id"], std::to_string(0x80D413D));
}

TEST(ReplyDecoderTest, NamesGsmBandsCarrierStateAndTheImsisCountry) {
  DecodeResult result = DecodeModemOutput(
      "+QENG: \"servingcell\",\"NOCONN\",\"GSM\",460,00,247C,1327,36,18,0,-73,255,255,0,42,42,1,-,"
      "-,-,-,-,-,-,-,-,\"-\"\n"
      "+QCAINFO: \"pcc\",1300,100,\"LTE BAND 3\",1,62,-88,-9,-60,12\n"
      "AT+CIMI\n262011234567890\nOK\n"
      "+CEREG: 2,1,\"2E1F\",\"A1B2C03\",8\n");
  EXPECT_TRUE(result.problems.empty()) << result.problems.front();
  ASSERT_EQ(result.replies.size(), 4u);
  EXPECT_EQ(result.replies[0]["serving_cell"]["gsm"]["band"], "DCS1800");
  EXPECT_EQ(result.replies[1]["state"], 1);
  EXPECT_EQ(result.replies[2]["mcc"], "262");
  EXPECT_EQ(result.replies[2]["identity"]["imsi"], "262011234567890");
  EXPECT_EQ(result.replies[3]["registration"]["access_technology"],
            "ACCESS_TECHNOLOGY_EUTRAN_CAT_M");
}

TEST(ReplyDecoderTest, EveryCaptureDecodesWithoutParseErrors) {
  std::ifstream in(CELLFLEET_CAPTURES_JSON);
  ASSERT_TRUE(in) << CELLFLEET_CAPTURES_JSON;
  nlohmann::json captures = nlohmann::json::parse(in);
  for (const nlohmann::json& item : captures) {
    const std::string id = item["id"];
    if (id.rfind("pppd-", 0) == 0) continue;  // pppd logs, not modem replies
    std::string text = item["raw"];
    std::string command = item["command"];
    if (command.rfind("AT", 0) == 0) text = command + "\n" + text;  // as picocom shows it
    DecodeResult result = DecodeModemOutput(text);
    EXPECT_EQ(result.parse_errors, 0)
        << id << ": " << (result.problems.empty() ? "" : result.problems[0]);
    EXPECT_FALSE(result.replies.empty()) << id;
  }
}

TEST(ReplyDecoderTest, AReplyThatIsNotUtf8IsDecodedAsTheAgentShowsIt) {
  // Found by the fuzzer: an operator name with bytes that are not UTF-8 made the JSON
  // conversion throw. Now each such byte is U+FFFD, as in the agent's status; the line
  // beside it decodes as before.
  const std::string garbled =
      "+COPS: 0,0,W\"CHINA "
      "MOBIL\xe0\xe0\xe0\xe0\xe0\xe0\xe0\xe0\xe0\xe0\xe0\xe0\xe0\xe0\xe0\xe0\xe0\xe0\xe0\xe0\xe0"
      "\xe0\x93\x93\x93\x93\x93\x93\x93\x93\xe0\x93\x93\x93\xe0\xe0\xe0\xe0\xe0\xe0\xe0\x1e\","
      "7\x0d\x0a";
  DecodeResult result;
  ASSERT_NO_THROW(result = DecodeModemOutput(garbled + "+COPS: 0,0,\"CHN\",7\r\n"));
  ASSERT_EQ(result.replies.size(), 2u) << (result.problems.empty() ? "" : result.problems[0]);
  const std::string name = result.replies.front()["operator"]["name"];
  EXPECT_TRUE(absl::StartsWith(name, "WCHINA MOBIL\xEF\xBF\xBD")) << name;
  EXPECT_EQ(result.replies.back()["operator"]["name"], "CHN");
}

TEST(ReplyDecoderTest, GarbageIsReportedNotFatal) {
  DecodeResult result = DecodeModemOutput("hello world\n\x01\x02\n+CSQ: banana\n");
  EXPECT_TRUE(result.replies.empty());
  EXPECT_EQ(result.parse_errors, 1);
  ASSERT_EQ(result.problems.size(), 3u);
  EXPECT_THAT(result.problems[0], ::testing::HasSubstr("line 1"));
  EXPECT_THAT(result.problems[1], ::testing::HasSubstr("\"??\""));  // control bytes masked
  EXPECT_THAT(result.problems[2], ::testing::HasSubstr("+CSQ: banana"));
}

TEST(ReplyDecoderTest, LowerCaseErrorLineIsAParseErrorNotACrash) {
  // Found by the fuzzer: the prefix check was case-insensitive, the parser is not.
  DecodeResult result = DecodeModemOutput("+cme error: 10\n");
  EXPECT_TRUE(result.replies.empty());
  EXPECT_EQ(result.parse_errors, 1);
}

}  // namespace
}  // namespace cellfleet::client
