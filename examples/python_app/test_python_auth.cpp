// The Python app with LIVEGUI_HOOK_TOKEN set: the harness's client carries
// the token, anyone without it is refused with 401 (protocol section 4).
#include "examples/python_app/python_app_spec.hpp"

namespace {

using namespace std::chrono_literals;

class PythonAuth : public livegui::LiveAppTest {
 protected:
  void SetUp() override {
    livegui::LiveAppTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_FALSE(app().spec().token.empty())
        << "this suite needs an AUT started with a token (AppSpec::token, or `token` in the plan's aut table)";
  }

  /// A client of the same AUT with `token` instead of the right one.
  std::unique_ptr<livegui::HookClient> client_with(const std::string& token) {
    livegui::HookClientOptions options;
    options.port = app().port();
    options.token = token;
    options.read_timeout = 5s;
    return std::make_unique<livegui::HookClient>(options);
  }

  static int status_of(const std::function<void()>& request) {
    try {
      request();
    } catch (const livegui::HookProtocolError& e) {
      return e.status();
    }
    return 200;
  }
};

TEST_F(PythonAuth, TheHarnessClientCarriesTheToken) {
  EXPECT_TRUE(hook().health().ok);
  int before = hook().value("counter").get<int>();
  hook().click("increment");
  EXPECT_EQ(hook().value("counter").get<int>(), before + 1);
}

TEST_F(PythonAuth, RequestsWithoutTheTokenAreRefused) {
  auto anonymous = client_with("");
  int before = hook().value("counter").get<int>();
  EXPECT_EQ(status_of([&] { anonymous->health(); }), 401);
  EXPECT_EQ(status_of([&] { anonymous->state(); }), 401);
  EXPECT_EQ(status_of([&] { anonymous->click("increment"); }), 401);
  EXPECT_EQ(hook().value("counter").get<int>(), before) << "a refused click must not run";
}

TEST_F(PythonAuth, AWrongTokenIsRefused) {
  auto wrong = client_with(app().spec().token + "-wrong");
  EXPECT_EQ(status_of([&] { wrong->health(); }), 401);
  EXPECT_EQ(status_of([&] { wrong->set("name", "intruder"); }), 401);
  EXPECT_NE(hook().value("name"), "intruder");
}

}  // namespace

int main(int argc, char** argv) {
  auto spec = python_app::spec();
  spec.token = python_app::kToken;
  return python_app::run(argc, argv, std::move(spec));
}
