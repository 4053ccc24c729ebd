// L1: what an inquiry's contact may be (an e-mail address or a phone number).
#include "acd/content.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sb::acd {
namespace {

TEST(InquiryContact, EmailAddressesAndPhoneNumbersAreAccepted) {
  for (const std::string ok :
       {"alice@acme.example", "a.b+tag@mail.acme.co.kr", "x@y.z", "O'Neil@example.com",
        "010-1234-5678", "+82 10 1234 5678", "(02) 1588-0000", "+1 (800) 555.0100", "112"}) {
    EXPECT_EQ(checkInquiryContact(ok), std::nullopt) << ok;
  }
}

TEST(InquiryContact, AnythingElseIsRefused) {
  for (const std::string bad : {"",
                                " ",
                                "alice",
                                "alice@",
                                "@acme.example",
                                "alice@localhost",
                                "alice@@acme.example",
                                "a@b@acme.example",
                                "alice smith@acme.example",
                                ".alice@acme.example",
                                "alice.@acme.example",
                                "alice@-acme.example",
                                "alice@acme..example",
                                "alice@acme.example.",
                                "앨리스@acme.example",
                                "alice@\xED\x95\x9C.example",
                                "12",
                                "+",
                                "++8210",
                                "010-1234-5678-",
                                "010 1234 5678 9012 3456 78",
                                "call me",
                                "010\n1234",
                                "<script>@x.y"}) {
    EXPECT_NE(checkInquiryContact(bad), std::nullopt) << bad;
  }
  EXPECT_NE(checkInquiryContact(std::string(250, 'a') + "@b.cd"), std::nullopt);  // 255 characters
  EXPECT_NE(checkInquiryContact(std::string(65, 'a') + "@b.cd"),
            std::nullopt);  // a local part over 64
}

}  // namespace
}  // namespace sb::acd
