#include "modem/replies/at_secrets.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cellfleet::modem {
namespace {

TEST(AtSecretsTest, EverySecretParameterIsMasked) {
  EXPECT_EQ(MaskAtSecrets("AT+CPIN=\"1234\""), "AT+CPIN=\"***\"");
  EXPECT_EQ(MaskAtSecrets("AT+CPIN=12345678,1234"), "AT+CPIN=***,***");  // PUK, new PIN
  EXPECT_EQ(MaskAtSecrets("at+cpin= \"1234\" "), "at+cpin= \"***\" ");
  EXPECT_EQ(MaskAtSecrets("AT+CLCK=\"SC\",1,\"1234\""), "AT+CLCK=\"SC\",1,\"***\"");
  EXPECT_EQ(MaskAtSecrets("AT+CPWD=\"SC\",\"1234\",\"4321\""), "AT+CPWD=\"SC\",\"***\",\"***\"");
  EXPECT_EQ(MaskAtSecrets("AT+CGAUTH=1,1,\"user\",\"pass\""), "AT+CGAUTH=1,1,\"user\",\"***\"");
  EXPECT_EQ(MaskAtSecrets("AT+QICSGP=1,1,\"internet\",\"user\",\"pass\",1"),
            "AT+QICSGP=1,1,\"internet\",\"user\",\"***\",1");
  EXPECT_EQ(MaskAtSecrets("AT+CSIM=26,\"0020000108313233344FFFFFFFF\""), "AT+CSIM=26,\"***\"");
  EXPECT_EQ(MaskAtSecrets("AT+CRSM=214,28539,0,0,3,\"FFFFFF\""), "AT+CRSM=214,28539,0,0,3,\"***\"");
}

TEST(AtSecretsTest, InASentenceAChainAndAProtobufRendering) {
  EXPECT_EQ(MaskAtSecrets("role viewer may not run AT+CPIN=\"1234\" (viewers run none)"),
            "role viewer may not run AT+CPIN=\"***\" (viewers run none)");
  EXPECT_EQ(MaskAtSecrets("AT+CSQ;+CPIN=1234;+COPS?"), "AT+CSQ;+CPIN=***;+COPS?");
  EXPECT_EQ(MaskAtSecrets(R"(command: "AT+CPIN=\"1234\"" timeout { seconds: 5 })"),
            R"(command: "AT+CPIN=\"***\"" timeout { seconds: 5 })");
  EXPECT_EQ(MaskAtSecrets(R"(command: "AT+CLCK=\"SC\",0,\"1234\"")"),
            R"(command: "AT+CLCK=\"SC\",0,\"***\"")");
}

TEST(AtSecretsTest, ReadsAndOtherCommandsAreLeftAlone) {
  for (const char* text : {"AT+CPIN?", "+CPIN: SIM PIN", "AT+CLCK=\"SC\",2", "AT+CSQ",
                           "AT+CGDCONT=1,\"IP\",\"internet\"", "AT+CPIN=?", "no command here"}) {
    EXPECT_EQ(MaskAtSecrets(text), text) << text;
  }
  // Idempotent: a masked line masked again is the same.
  const std::string once = MaskAtSecrets("AT+CPIN=\"1234\";+CPWD=\"SC\",1,2");
  EXPECT_EQ(MaskAtSecrets(once), once);
  EXPECT_THAT(once, ::testing::Not(::testing::HasSubstr("1234")));
}

}  // namespace
}  // namespace cellfleet::modem
