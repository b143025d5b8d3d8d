#pragma once
// What the harness's GoogleTest listener records of a test — in GoogleTest's
// own report (RecordProperty) and in the test's output — for livegui-batch to
// read: one spelling on both sides.

#include <string_view>

namespace livegui {

/// Property of a failed test: the AUT was dead or degraded when it failed
/// (it broke during the test, or the test started on or hit an AUT already
/// broken, as under respawn policy "never"). Its value is the first line of
/// the degraded diagnostic ("subprocess degraded: AUT pid 4121 …").
inline constexpr std::string_view kAutUnhealthyProperty = "aut_unhealthy";

/// The line the listener adds to such a test's failure, followed by the
/// diagnostic on the next lines: "[livegui] the AUT was not healthy when
/// Suite.Name failed:". Read from the output when no JSON report was written.
inline constexpr std::string_view kAutUnhealthyLine = "[livegui] the AUT was not healthy when ";

}  // namespace livegui
