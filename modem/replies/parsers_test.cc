// Edge cases the captures do not cover: malformed replies must fail with a message that
// quotes the reply, never crash or read past the fields.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "modem/replies/final_result.h"
#include "modem/replies/identity.h"
#include "modem/replies/operator_selection.h"
#include "modem/replies/pdp_context.h"
#include "modem/replies/registration.h"
#include "modem/replies/serving_cell.h"
#include "modem/replies/signal_quality.h"
#include "modem/replies/sim_status.h"
#include "modem/testing/status_matchers.h"

namespace cellfleet::modem {
namespace {

using ::cellfleet::testing::IsOk;
using ::cellfleet::testing::StatusIs;
using ::testing::HasSubstr;

TEST(CsqTest, ConvertsCodesToDbm) {
  EXPECT_EQ(ParseCsq("+CSQ: 0,99")->rssi_dbm, -113);
  EXPECT_EQ(ParseCsq("+CSQ: 31,99")->rssi_dbm, -51);
  EXPECT_EQ(ParseCsq("+CSQ: 99,99")->rssi_dbm, std::nullopt);
  EXPECT_EQ(ParseCsq("+CSQ: 100,99")->rssi_dbm, -116);
  EXPECT_EQ(ParseCsq("+CSQ: 191,99")->rssi_dbm, -25);
  EXPECT_EQ(ParseCsq("+CSQ: 20,3")->ber_code, 3);
}

TEST(CsqTest, RejectsMalformedRepliesQuotingThem) {
  EXPECT_THAT(ParseCsq("+CSQ: 1a,99"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"+CSQ: 1a,99\"")));
  EXPECT_THAT(ParseCsq("+CSQ: 12"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseCsq("+CSQ: 55,99"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("out of range")));
  EXPECT_THAT(ParseCsq("+COPS: 0"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseCsq(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseCsq("+CSQ:"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseCsq("+CSQ: 99999999999999999999999,1"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ServingCellTest, TruncatedLteLineIsAnErrorNotACrash) {
  EXPECT_THAT(ParseServingCell({"+QENG: \"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",262,01"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at least 10 fields")));
  EXPECT_THAT(ParseServingCell({"+QENG: \"servingcell\""}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseServingCell({"+QENG: \"servingcell\",\"WHAT\""}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("WHAT")));
  EXPECT_THAT(ParseServingCell({}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseServingCell(
                  {"+QENG: \"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",262,01,ZZZ,1,1,1,1,1,1"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not hexadecimal")));
}

TEST(ServingCellTest, ScalesSinrPerFamily) {
  const std::vector<std::string> line = {
      "+QENG: "
      "\"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",262,01,1A2D001,1,1575,3,3,3,1,-70,-9,-46,25,-,-,"
      "-"};
  EXPECT_EQ(ParseServingCell(line, LteSinrEncoding::kDb)->lte->sinr_db, 25.0);
  EXPECT_EQ(ParseServingCell(line, LteSinrEncoding::kTwiceMinus20)->lte->sinr_db, 30.0);
  EXPECT_EQ(LteSinrEncodingForModel("RM500Q-GL"), LteSinrEncoding::kTwiceMinus20);
  EXPECT_EQ(LteSinrEncodingForModel("EC25"), LteSinrEncoding::kDb);
  EXPECT_EQ(LteSinrEncodingForModel("RM500U-CN"), LteSinrEncoding::kDb);  // Unisoc: dB
  EXPECT_EQ(LteSinrEncodingForModel("RG500U-EA"), LteSinrEncoding::kDb);
  // A negative value is dB whatever the family says.
  const std::vector<std::string> negative = {
      "+QENG: "
      "\"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",262,01,1A2D001,1,1575,3,3,3,1,-70,-9,-46,-3,-,-,"
      "-"};
  EXPECT_EQ(ParseServingCell(negative, LteSinrEncoding::kTwiceMinus20)->lte->sinr_db, -3.0);
}

TEST(ServingCellTest, LteMAndNbIotUseTheLteLayout) {
  for (const auto& [token, rat] :
       std::vector<std::pair<std::string, RadioTech>>{{"CAT-M", RadioTech::kLteCatM},
                                                      {"eMTC", RadioTech::kLteCatM},
                                                      {"CAT-NB", RadioTech::kLteCatNb}}) {
    absl::StatusOr<ServingCellInfo> cell =
        ParseServingCell({"+QENG: \"servingcell\",\"NOCONN\",\"" + token +
                          "\",\"FDD\",310,410,A1B2C03,321,5110,12,0,0,2E1F,-101,-12,-75,3,20"});
    ASSERT_THAT(cell, IsOk()) << token;
    EXPECT_EQ(cell->rat, rat) << token;
    ASSERT_TRUE(cell->lte.has_value()) << token;
    EXPECT_EQ(cell->lte->band, 12);
    EXPECT_EQ(cell->lte->rsrp_dbm, -101);
  }
  // A modem still searching, and one camped without service with fields it leaves empty.
  absl::StatusOr<ServingCellInfo> search = ParseServingCell({"+QENG: \"servingcell\",\"SEARCH\""});
  ASSERT_THAT(search, IsOk());
  EXPECT_EQ(search->state, ServingState::kSearch);
  absl::StatusOr<ServingCellInfo> limited = ParseServingCell(
      {"+QENG: \"servingcell\",\"LIMSRV\",\"LTE\",\"FDD\",262,01,1A2D001,1,1575,3,-,-,1,-118,-16,-"
       "88,-,-"});
  ASSERT_THAT(limited, IsOk());
  EXPECT_EQ(limited->state, ServingState::kLimitedService);
  EXPECT_EQ(limited->lte->sinr_db, std::nullopt);
}

TEST(RegistrationTest, StatsBeyondFiveAreWhatTheyAre) {
  EXPECT_TRUE(ParseRegistration("+CEREG: 2,9", true)->registered());  // CSFB not preferred
  EXPECT_TRUE(ParseRegistration("+CEREG: 2,10", true)->registered());
  EXPECT_TRUE(ParseRegistration("+CEREG: 2,6", true)->sms_only());
  EXPECT_FALSE(ParseRegistration("+CEREG: 2,7", true)->registered());
  EXPECT_TRUE(ParseRegistration("+CEREG: 2,8", true)->emergency_only());
  EXPECT_TRUE(ParseRegistration("+CEREG: 2,11", true)->emergency_only());
  EXPECT_EQ(RegistrationStatText(6), "registered for SMS only, home");
  EXPECT_EQ(ParseRegistration("+CEREG: 2,1,\"2E1F\",\"A1B2C03\",9", true)->act, 9);
  EXPECT_EQ(AccessTechnologyName(8), "LTE Cat M1");
  EXPECT_EQ(AccessTechnologyName(9), "LTE Cat NB1");
}

TEST(RegistrationTest, SolicitedAndUrcFormsDiffer) {
  absl::StatusOr<RegistrationInfo> solicited = ParseRegistration("+CREG: 1,3", true);
  ASSERT_THAT(solicited, IsOk());
  EXPECT_EQ(solicited->n, 1);
  EXPECT_EQ(solicited->stat, 3);
  absl::StatusOr<RegistrationInfo> urc = ParseRegistration("+CREG: 3", false);
  ASSERT_THAT(urc, IsOk());
  EXPECT_EQ(urc->n, std::nullopt);
  EXPECT_EQ(urc->stat, 3);
  EXPECT_FALSE(urc->registered());
  EXPECT_THAT(ParseRegistration("+CREG: x", false), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseRegistration("+CSQ: 1,2", true), StatusIs(absl::StatusCode::kInvalidArgument));
  // Multi-digit <stat> (27.007 emergency / SMS-only states) is accepted.
  EXPECT_EQ(ParseRegistration("+CEREG: 0,10", true)->stat, 10);
}

TEST(CopsTest, UnregisteredHasOnlyMode) {
  absl::StatusOr<OperatorSelection> cops = ParseCops("+COPS: 0");
  ASSERT_THAT(cops, IsOk());
  EXPECT_EQ(cops->mode, 0);
  EXPECT_EQ(cops->format, std::nullopt);
  EXPECT_TRUE(cops->oper.empty());
  EXPECT_THAT(ParseCops("+COPS: 9,0,\"x\",7"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseCops("+COPS: 0,0"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("oper")));
}

TEST(CopsTest, OperatorNameWithCommaStaysWhole) {
  EXPECT_EQ(ParseCops("+COPS: 0,0,\"Vodafone, DE\",7")->oper, "Vodafone, DE");
}

TEST(FinalResultTest, RecognisesEveryFinalResult) {
  EXPECT_EQ(ParseFinalResult("OK")->kind, FinalResultKind::kOk);
  EXPECT_EQ(ParseFinalResult("ERROR")->kind, FinalResultKind::kError);
  EXPECT_EQ(ParseFinalResult("NO CARRIER")->kind, FinalResultKind::kNoCarrier);
  EXPECT_EQ(ParseFinalResult("BUSY")->kind, FinalResultKind::kBusy);
  EXPECT_EQ(ParseFinalResult("NO ANSWER")->kind, FinalResultKind::kNoAnswer);
  EXPECT_EQ(ParseFinalResult("NO DIALTONE")->kind, FinalResultKind::kNoDialtone);
  std::optional<FinalResult> connect = ParseFinalResult("CONNECT 150000000");
  ASSERT_TRUE(connect.has_value());
  EXPECT_EQ(connect->kind, FinalResultKind::kConnect);
  EXPECT_EQ(connect->text, "150000000");
  EXPECT_EQ(ParseFinalResult("+CMS ERROR: 500")->code, 500);
  EXPECT_EQ(ParseFinalResult("+CME ERROR: SIM busy")->code, std::nullopt);
  EXPECT_EQ(CmeCode(*ParseFinalResult("+CME ERROR: SIM busy")), 14);
  EXPECT_FALSE(ParseFinalResult("OKAY").has_value());
  EXPECT_FALSE(ParseFinalResult("+CSQ: 1,2").has_value());
  EXPECT_FALSE(ParseFinalResult("CONNECTED").has_value());
}

TEST(FinalResultTest, StatusCodesSayWhatToDo) {
  EXPECT_THAT(
      FinalResultStatus(*ParseFinalResult("+CME ERROR: 10"), "AT+CPIN?", "/dev/ttyUSB2"),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("/dev/ttyUSB2: AT+CPIN? failed: +CME ERROR: 10 (SIM not inserted)")));
  EXPECT_THAT(FinalResultStatus(*ParseFinalResult("+CME ERROR: 14"), "AT+CIMI", "p"),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(FinalResultStatus(*ParseFinalResult("OK"), "AT", "p"), IsOk());
}

TEST(SimStatusTest, ParsesStatesAndErrors) {
  EXPECT_EQ(*ParseCpin("+CPIN: SIM PIN"), SimState::kPinRequired);
  EXPECT_EQ(*ParseCpin("+CPIN: PH-NET PIN"), SimState::kPersonalizationLocked);
  EXPECT_THAT(ParseCpin("+CPIN: BANANA"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("BANANA")));
  EXPECT_EQ(SimStateFromError(*ParseFinalResult("+CME ERROR: 14")), SimState::kBusy);
  EXPECT_EQ(SimStateFromError(*ParseFinalResult("+CME ERROR: SIM not inserted")),
            SimState::kNotInserted);
  EXPECT_EQ(SimStateFromError(*ParseFinalResult("ERROR")), std::nullopt);
}

TEST(IdentityTest, ValidatesShapes) {
  EXPECT_EQ(*ParseImei("867695041234567"), "867695041234567");
  EXPECT_THAT(ParseImei("OK"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseImsi("12345"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(*ParseIccid("+QCCID: 898604B2012290748345"), "898604B2012290748345");
  EXPECT_THAT(ParseIccid("+QCCID: 89;rm -rf"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseAti({"Quectel"}), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PdpContextTest, ParsesReadReply) {
  absl::StatusOr<PdpContext> ctx =
      ParseCgdcont("+CGDCONT: 1,\"IP\",\"internet.example\",\"0.0.0.0\",0,0,0,0");
  ASSERT_THAT(ctx, IsOk());
  EXPECT_EQ(ctx->cid, 1);
  EXPECT_EQ(ctx->pdp_type, "IP");
  EXPECT_EQ(ctx->apn, "internet.example");
  EXPECT_THAT(ParseCgdcont("+CGDCONT: x"), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace cellfleet::modem
