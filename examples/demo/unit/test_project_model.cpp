// unit tier: plain logic, no AUT.
#include <gtest/gtest.h>

#include "sample_app/app_model.hpp"
#include "sample_app/faults.hpp"

namespace {

TEST(ProjectModel, StartsUntitled) {
  sample_app::AppModel model;
  EXPECT_EQ(model.to_json(0, 0)["values"]["project"], "untitled");
}

TEST(ProjectModel, SnapshotCarriesEveryWidget) {
  sample_app::AppModel model;
  model.name = "demo";
  model.counter = 2;
  auto values = model.to_json(5, 1)["values"];
  EXPECT_EQ(values["name"], "demo");
  EXPECT_EQ(values["counter"], 2);
}

TEST(ProjectModel, MailboxDefersWorkToTheGuiThread) {
  sample_app::Mailbox box;
  sample_app::AppModel model;
  box.post([&] { model.project = "from-io"; });
  EXPECT_EQ(model.project, "untitled");
  box.drain();
  EXPECT_EQ(model.project, "from-io");
}

TEST(FaultKinds, ParseEveryDocumentedKind) {
  for (const char* kind : {"assert", "crash", "segv", "hang", "exit", "ignore-sigterm", "spawn-grandchild"})
    EXPECT_TRUE(sample_app::parse_fault_kind(kind).has_value()) << kind;
}

}  // namespace
