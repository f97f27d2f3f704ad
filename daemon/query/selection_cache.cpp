#include "selection_cache.hpp"

#include <algorithm>

namespace rosterd::query {

const CachedSelection* SelectionCache::find(const std::string& key, std::int64_t now_ms) const {
    for (const auto& entry : entries_)
        if (entry.key == key && entry.from_ms <= now_ms && now_ms < entry.until_ms)
            return &entry;
    return nullptr;
}

void SelectionCache::remember(CachedSelection selection) {
    // One entry per key: the newest window replaces an older one.
    entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                  [&](const auto& e) { return e.key == selection.key; }),
                   entries_.end());
    entries_.push_front(std::move(selection));
    while (entries_.size() > kEntries)
        entries_.pop_back();
}

bool SelectionCache::wait(const std::string& key, std::function<void()> retry) {
    auto [it, first] = computing_.try_emplace(key);
    if (first)
        return false;
    it->second.push_back(std::move(retry));
    return true;
}

void SelectionCache::computed(const std::string& key) {
    auto it = computing_.find(key);
    if (it == computing_.end())
        return;
    auto waiting = std::move(it->second);
    computing_.erase(it);
    for (auto& retry : waiting)
        retry();
}

}  // namespace rosterd::query
