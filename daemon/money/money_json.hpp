#pragma once
// The money commands' answers as JSON.
#include <rapidjson/document.h>

#include "rosterd/money/money.hpp"

namespace rosterd::money {

using JsonAllocator = rapidjson::Document::AllocatorType;

rapidjson::Value history_json(const std::vector<HistoryPoint>& points, JsonAllocator& a);
rapidjson::Value savings_json(const Savings& savings, JsonAllocator& a);

}  // namespace rosterd::money
