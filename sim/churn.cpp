#include "churn.hpp"

#include <algorithm>

#include "json_util.hpp"
#include "prng.hpp"
#include "rosterd/base/text.hpp"

namespace rosterd::sim {

void Churn::arm(const ChurnPlan& plan) {
    std::lock_guard lock(mutex_);
    armed_ = plan;
    pages_seen_ = 0;
    fired_ = false;
    moved_.clear();
}

std::optional<ChurnPlan> Churn::on_users_search() {
    std::lock_guard lock(mutex_);
    if (!armed_)
        return std::nullopt;
    if (++pages_seen_ < armed_->after_pages)
        return std::nullopt;
    auto plan = *armed_;
    armed_.reset();
    fired_ = true;
    return plan;
}

void Churn::record(std::vector<std::string> moved) {
    std::lock_guard lock(mutex_);
    moved_.insert(moved_.end(), moved.begin(), moved.end());
}

std::string Churn::state_json() const {
    std::lock_guard lock(mutex_);
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "armed");
    w.Bool(armed_.has_value());
    key(w, "pages_seen");
    w.Int(pages_seen_);
    key(w, "fired");
    w.Bool(fired_);
    key(w, "moved");
    w.StartArray();
    for (const auto& id : moved_)
        put(w, id);
    w.EndArray();
    w.EndObject();
    return to_string(buffer);
}

namespace {

// Up to `count` distinct users satisfying `eligible`, drawn with `rng`.
template <typename Pred>
std::vector<std::size_t> pick(const Model& model, std::size_t count, SplitMix64& rng,
                              Pred eligible) {
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < model.users.size(); ++i)
        if (!model.users[i].removed && !model.users[i].app && eligible(model.users[i]))
            candidates.push_back(i);
    // Partial Fisher-Yates: the first `count` entries become the sample.
    count = std::min(count, candidates.size());
    for (std::size_t i = 0; i < count; ++i)
        std::swap(candidates[i], candidates[i + rng.below(candidates.size() - i)]);
    candidates.resize(count);
    return candidates;
}

}  // namespace

std::vector<std::string> apply_churn(Model& model, const ChurnPlan& plan) {
    SplitMix64 rng(plan.seed);
    std::vector<std::string> moved;
    // Drawn before any change, so one user moves at most once per plan.
    auto to_suspend = pick(model, static_cast<std::size_t>(plan.suspend), rng,
                           [&](const User& u) { return model.status(u) == UserStatus::Active; });
    auto to_restore = pick(model, static_cast<std::size_t>(plan.restore), rng,
                           [&](const User& u) { return model.status(u) == UserStatus::Suspended; });
    std::vector<bool> taken(model.users.size(), false);
    for (auto i : to_suspend)
        taken[i] = true;
    auto to_deactivate =
        pick(model, static_cast<std::size_t>(plan.deactivate), rng, [&](const User& u) {
            return !taken[static_cast<std::size_t>(&u - model.users.data())] &&
                   model.status(u) == UserStatus::Active && u.claim == ClaimStatus::Managed &&
                   u.management_source != "synced";
        });
    for (auto i : to_restore)
        taken[i] = true;
    for (auto i : to_deactivate)
        taken[i] = true;
    const auto domains = model.verified_domains();
    auto to_rehome = pick(model, static_cast<std::size_t>(plan.rehome), rng, [&](const User& u) {
        return domains.size() > 1 && !taken[static_cast<std::size_t>(&u - model.users.data())] &&
               u.claim == ClaimStatus::Managed && u.email.rfind('@') != std::string::npos &&
               (plan.rehome_to.empty() || !u.email.ends_with("@" + plan.rehome_to));
    });
    for (auto i : to_suspend)
        if (model.suspend(i) == Change::Done)
            moved.push_back(model.users[i].account_id);
    for (auto i : to_restore)
        if (model.restore(i) == Change::Done)
            moved.push_back(model.users[i].account_id);
    for (auto i : to_deactivate)
        if (model.set_account_enabled(i, false) == Change::Done)
            moved.push_back(model.users[i].account_id);
    for (auto i : to_rehome) {
        const auto& email = model.users[i].email;
        const auto at = email.rfind('@');
        auto next = std::upper_bound(domains.begin(), domains.end(),
                                     rosterd::lowercase(email.substr(at + 1)));
        const auto& domain = !plan.rehome_to.empty() ? plan.rehome_to
                             : next == domains.end() ? domains.front()
                                                     : *next;
        if (model.set_email(i, email.substr(0, at + 1) + domain) == Change::Done)
            moved.push_back(model.users[i].account_id);
    }
    return moved;
}

}  // namespace rosterd::sim
