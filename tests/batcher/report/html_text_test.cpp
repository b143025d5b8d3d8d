// Text as report.html carries it: escaping and base64.
#include "batcher/report/html_text.hpp"

#include <gtest/gtest.h>

namespace livegui::batch {
namespace {

TEST(HtmlEscape, EscapesMarkupAndQuotes) {
  EXPECT_EQ(html_escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(HtmlEscape, KeepsValidUtf8AndReplacesInvalidBytesAndControls) {
  EXPECT_EQ(html_escape("tier › é ✓ \xF0\x9F\x98\x80"), "tier › é ✓ \xF0\x9F\x98\x80");
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(html_escape(std::string("a\xFF"
                                    "b")),
            "a" + fffd + "b");
  EXPECT_EQ(html_escape(std::string("\xC0\xAF")), fffd + fffd);             // overlong '/'
  EXPECT_EQ(html_escape(std::string("\xED\xA0\x80")), fffd + fffd + fffd);  // a surrogate
  EXPECT_EQ(html_escape(std::string("cut \xE2\x9C")), "cut " + fffd + fffd);
  EXPECT_EQ(html_escape(std::string("nul\0bell\a", 9)), "nul" + fffd + "bell" + fffd);
  EXPECT_EQ(html_escape("tab\tnewline\n"), "tab\tnewline\n");
}

TEST(HtmlEscape, DropsAnsiColourSequences) {
  EXPECT_EQ(html_escape("\x1b[0;31m[  FAILED  ]\x1b[m A.b"), "[  FAILED  ] A.b");
}

TEST(Base64, MatchesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xff\x00\x80", 3)), "/wCA");
}

}  // namespace
}  // namespace livegui::batch
