#pragma once
// How rosterctl shows a task run's notice stage (issue 17): who is (or would be) put on notice,
// released and acted on.
#include <rapidjson/document.h>

namespace rosterd::cli {

// Prints nothing when the run has no notice stage.
void render_notice_stage(const rapidjson::Value& run);

}  // namespace rosterd::cli
