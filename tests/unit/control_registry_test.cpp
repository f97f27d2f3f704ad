#include <catch2/catch.hpp>

#include <stdexcept>
#include <thread>
#include <variant>

#include "rosterd/base/json.hpp"
#include "rosterd/control/registry.hpp"

using namespace rosterd::control;

namespace {

Caller caller_with(std::optional<AccessLevel> level, std::string user = "alice",
                   std::uint32_t uid = 1000) {
    Caller caller;
    caller.uid = uid;
    caller.gid = uid;
    caller.user = std::move(user);
    caller.level = level;
    return caller;
}

// A registry with a few commands at each level, as features would register them.
struct TestCommands {
    CommandRegistry registry;

    TestCommands() {
        registry.add({
            .name = "echo",
            .summary = "Answer with the text",
            .level = AccessLevel::viewer,
            .args = {{"text", ArgType::string, true, "what to echo"},
                     {"times", ArgType::integer, false, "how often"}},
            .handler =
                [](const Request& request, std::shared_ptr<Reply> reply) {
                    std::string text = *request.string_arg("text");
                    std::string answer;
                    for (std::int64_t i = 0; i < request.int_arg("times").value_or(1); ++i)
                        answer += text;
                    rapidjson::Document result;
                    result.SetString(answer.c_str(), result.GetAllocator());
                    reply->ok(result);
                },
        });
        registry.add({.name = "sync.run",
                      .summary = "Sync now",
                      .level = AccessLevel::operator_,
                      .handler = [](const Request&, std::shared_ptr<Reply> reply) { reply->ok(); },
                      .streams_progress = true});
        registry.add(
            {.name = "key.set",
             .summary = "Store the API key",
             .level = AccessLevel::admin,
             .args = {{"key", ArgType::string, true, "", true}},
             .handler = [](const Request&, std::shared_ptr<Reply> reply) { reply->ok(); }});
        registry.add({.name = "boom",
                      .level = AccessLevel::viewer,
                      .handler = [](const Request&, std::shared_ptr<Reply>) {
                          throw std::runtime_error("secret-token-123 leaked?");
                      }});
        registry.add({.name = "refuse",
                      .level = AccessLevel::viewer,
                      .handler = [](const Request&, std::shared_ptr<Reply>) {
                          throw CommandError("the API key was revoked");
                      }});
        registry.add({.name = "forget",
                      .level = AccessLevel::viewer,
                      .handler = [](const Request&, std::shared_ptr<Reply>) {}});
        registry.add({.name = "twice",
                      .level = AccessLevel::viewer,
                      .handler = [](const Request&, std::shared_ptr<Reply> reply) {
                          reply->progress(rapidjson::Value(1));
                          reply->ok(rapidjson::Value(2));
                          reply->fail(kFailed, "ignored");
                          reply->progress(rapidjson::Value(3));
                          reply->ok(rapidjson::Value(4));
                      }});
    }

    // Runs one request line as `caller` and returns every line sent back.
    std::vector<std::string> run(const std::string& line, const Caller& caller) {
        std::vector<std::string> lines;
        auto sink = [&lines](std::string text, bool) { lines.push_back(std::move(text)); };
        auto parsed = parse_request_line(line);
        if (auto* error = std::get_if<RequestError>(&parsed)) {
            Reply(error->id_json, sink).fail(error->code, error->message);
            return lines;
        }
        auto& p = std::get<ParsedRequest>(parsed);
        Request request{.command = p.command,
                        .caller = caller,
                        .id_json = p.id_json,
                        .document = p.document,
                        .args_value = p.args};
        registry.dispatch(request, std::make_shared<Reply>(p.id_json, sink));
        return lines;
    }

    std::string run_one(const std::string& line, const Caller& caller) {
        auto lines = run(line, caller);
        REQUIRE(lines.size() == 1);
        return lines.front();
    }
};

std::string error(const std::string& id, const std::string& code, const std::string& message) {
    return error_line(id, code, message);
}

}  // namespace

TEST_CASE("a command runs when level and args are right", "[control]") {
    TestCommands t;
    auto viewer = caller_with(AccessLevel::viewer);
    CHECK(t.run_one(R"({"id":1,"command":"echo","args":{"text":"ab","times":2}})", viewer) ==
          "{\"id\":1,\"ok\":true,\"result\":\"abab\"}\n");
    CHECK(t.run_one(R"({"id":2,"command":"sync.run"})", caller_with(AccessLevel::admin)) ==
          "{\"id\":2,\"ok\":true,\"result\":null}\n");
}

TEST_CASE("unknown commands get unknown_command", "[control]") {
    TestCommands t;
    CHECK(t.run_one(R"({"id":1,"command":"nope"})", caller_with(AccessLevel::admin)) ==
          error("1", kUnknownCommand, R"(unknown command "nope"; "help" lists the commands)"));
}

TEST_CASE("invalid_args names the argument and what was expected", "[control]") {
    TestCommands t;
    auto viewer = caller_with(AccessLevel::viewer);
    CHECK(
        t.run_one(R"({"id":1,"command":"echo","args":{"text":"a","txt":"b"}})", viewer) ==
        error(
            "1", kInvalidArgs,
            R"(unknown argument "txt" for "echo"; accepted: "text" (string), "times" (integer))"));
    CHECK(t.run_one(R"({"id":2,"command":"echo","args":{"text":"a","times":"3"}})", viewer) ==
          error("2", kInvalidArgs, R"(argument "times" must be an integer, got a string)"));
    CHECK(t.run_one(R"({"id":3,"command":"echo","args":{"text":"a","times":1.5}})", viewer) ==
          error("3", kInvalidArgs, R"(argument "times" must be an integer, got a number)"));
    CHECK(t.run_one(R"({"id":4,"command":"echo"})", viewer) ==
          error("4", kInvalidArgs, R"(missing required argument "text" (a string: what to echo))"));
    CHECK(t.run_one(R"({"id":5,"command":"echo","args":{"text":"a","text":"b"}})", viewer) ==
          error("5", kInvalidArgs, R"(argument "text" is given twice)"));
    CHECK(t.run_one(R"({"id":6,"command":"sync.run","args":{"x":1}})",
                    caller_with(AccessLevel::operator_)) ==
          error("6", kInvalidArgs,
                R"(unknown argument "x" for "sync.run"; "sync.run" takes no arguments)"));
}

TEST_CASE("forbidden names the level required and the caller's level", "[control]") {
    TestCommands t;
    CHECK(t.run_one(R"({"id":1,"command":"sync.run"})", caller_with(AccessLevel::viewer)) ==
          error("1", kForbidden,
                R"("sync.run" requires operator access; alice (uid 1000) has viewer access)"));
    CHECK(t.run_one(R"({"id":2,"command":"key.set","args":{"key":"k"}})",
                    caller_with(AccessLevel::operator_, "bob", 1001)) ==
          error("2", kForbidden,
                R"("key.set" requires admin access; bob (uid 1001) has operator access)"));
    // Levels are checked before arguments: no hints about a command one may not run.
    CHECK(t.run_one(R"({"id":3,"command":"key.set"})", caller_with(AccessLevel::viewer)) ==
          error("3", kForbidden,
                R"("key.set" requires admin access; alice (uid 1000) has viewer access)"));
}

TEST_CASE("a caller without any level is refused everything, help included", "[control]") {
    TestCommands t;
    auto nobody = caller_with(std::nullopt, "mallory", 1666);
    const std::string tail =
        " access; mallory (uid 1666) has no access (granted in control.access of the rosterd "
        "configuration)";
    CHECK(t.run_one(R"({"id":1,"command":"help"})", nobody) ==
          error("1", kForbidden, R"("help" requires viewer)" + tail));
    CHECK(t.run_one(R"({"id":2,"command":"key.set"})", nobody) ==
          error("2", kForbidden, R"("key.set" requires admin)" + tail));
    CHECK(t.run_one(R"({"id":3,"command":"no.such"})", nobody) ==
          error("3", kForbidden, R"("no.such" requires viewer)" + tail));
}

TEST_CASE("help lists only what the caller may run", "[control]") {
    TestCommands t;
    auto names = [&](std::optional<AccessLevel> level) {
        auto line = t.run_one(R"({"id":1,"command":"help"})", caller_with(level));
        rapidjson::Document doc;
        doc.Parse(line.c_str());
        std::vector<std::string> found;
        for (const auto& command : doc["result"]["commands"].GetArray())
            found.push_back(command["name"].GetString());
        CHECK(std::string(doc["result"]["caller"]["level"].GetString()) ==
              std::string(to_string(*level)));
        return found;
    };
    CHECK(names(AccessLevel::viewer) ==
          std::vector<std::string>{"boom", "echo", "forget", "help", "refuse", "twice", "whoami"});
    CHECK(names(AccessLevel::operator_) == std::vector<std::string>{"boom", "echo", "forget",
                                                                    "help", "refuse", "sync.run",
                                                                    "twice", "whoami"});
    CHECK(names(AccessLevel::admin) == std::vector<std::string>{"boom", "echo", "forget", "help",
                                                                "key.set", "refuse", "sync.run",
                                                                "twice", "whoami"});
}

TEST_CASE("help describes one command exactly", "[control]") {
    TestCommands t;
    auto viewer = caller_with(AccessLevel::viewer);
    CHECK(t.run_one(R"({"id":1,"command":"help","args":{"command":"echo"}})", viewer) ==
          R"({"id":1,"ok":true,"result":{"name":"echo","summary":"Answer with the text",)"
          R"("level":"viewer","streams_progress":false,"args":[)"
          R"({"name":"text","type":"string","required":true,"help":"what to echo"},)"
          R"({"name":"times","type":"integer","required":false,"help":"how often"}],)"
          R"("allowed":true}})"
          "\n");
    CHECK(t.run_one(R"({"id":2,"command":"help","args":{"command":"sync.run"}})", viewer) ==
          R"({"id":2,"ok":true,"result":{"name":"sync.run","summary":"Sync now",)"
          R"("level":"operator","streams_progress":true,"args":[],"allowed":false}})"
          "\n");
    CHECK(t.run_one(R"({"id":3,"command":"help","args":{"command":"x"}})", viewer) ==
          error("3", kUnknownCommand, R"(unknown command "x")"));
}

TEST_CASE("a reply is answered exactly once", "[control]") {
    TestCommands t;
    auto viewer = caller_with(AccessLevel::viewer);
    CHECK(t.run(R"({"id":1,"command":"twice"})", viewer) ==
          std::vector<std::string>{"{\"id\":1,\"progress\":1}\n",
                                   "{\"id\":1,\"ok\":true,\"result\":2}\n"});
    CHECK(t.run_one(R"({"id":2,"command":"forget"})", viewer) ==
          error("2", kInternal, "the command ended without an answer"));
}

TEST_CASE("exceptions from handlers become failed or internal, without their text", "[control]") {
    TestCommands t;
    auto viewer = caller_with(AccessLevel::viewer);
    CHECK(t.run_one(R"({"id":1,"command":"refuse"})", viewer) ==
          error("1", kFailed, "the API key was revoked"));
    CHECK(t.run_one(R"({"id":2,"command":"boom"})", viewer) ==
          error("2", kInternal, R"(internal error in "boom"; see the rosterd log)"));
}

TEST_CASE("a reply may be completed later from another thread", "[control]") {
    std::vector<std::pair<std::string, bool>> lines;
    std::mutex mutex;
    auto reply = std::make_shared<Reply>("9", [&](std::string line, bool final) {
        std::lock_guard lock(mutex);
        lines.emplace_back(std::move(line), final);
    });
    std::thread worker([reply] {
        reply->progress(rapidjson::Value("half"));
        reply->ok(rapidjson::Value(true));
    });
    worker.join();
    CHECK(reply->completed());
    reply.reset();
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == std::make_pair(std::string("{\"id\":9,\"progress\":\"half\"}\n"), false));
    CHECK(lines[1] ==
          std::make_pair(std::string("{\"id\":9,\"ok\":true,\"result\":true}\n"), true));
}

TEST_CASE("registration refuses duplicates and incomplete specs", "[control]") {
    CommandRegistry registry;
    auto noop = [](const Request&, std::shared_ptr<Reply> reply) { reply->ok(); };
    CHECK_THROWS_WITH(registry.add({.name = "help", .handler = noop}),
                      R"(control command "help" is registered twice)");
    CHECK_THROWS_WITH(registry.add({.name = "x"}), R"(control command "x" has no handler)");
    CHECK_THROWS_WITH(registry.add({.handler = noop}), "a control command needs a name");
    CHECK_THROWS_WITH(registry.add({.name = "y", .args = {{"a"}, {"a"}}, .handler = noop}),
                      R"(control command "y" declares argument "a" twice)");
    registry.add({.name = "status", .handler = noop});
    REQUIRE(registry.find("status") != nullptr);
    CHECK(registry.find("status")->level == AccessLevel::admin);  // the safe default
}

TEST_CASE("operator and admin commands reach the audit sink with their outcome, secrets redacted",
          "[control][audit]") {
    TestCommands t;
    std::vector<AuditRecord> audited;
    t.registry.set_audit_sink([&](AuditRecord r) { audited.push_back(std::move(r)); });
    auto admin = caller_with(AccessLevel::admin, "root", 0);
    auto viewer = caller_with(AccessLevel::viewer);
    t.run(R"({"id":1,"command":"key.set","args":{"key":"sk-live-123"}})", admin);
    t.run(R"({"id":2,"command":"sync.run"})", viewer);                     // forbidden: audited
    t.run(R"({"id":3,"command":"key.set","args":{"k":1}})", admin);        // invalid args: audited
    t.run(R"({"id":4,"command":"echo","args":{"text":"x"}})", admin);      // viewer command: not
    t.run(R"({"id":5,"command":"sync.run"})", caller_with(std::nullopt));  // no level: not
    REQUIRE(audited.size() == 3);
    CHECK(audited[0].command == "key.set");
    CHECK(audited[0].caller.user == "root");
    CHECK(audited[0].outcome == "ok");
    CHECK(audited[0].args_json == R"x({"key":"(redacted)"})x");
    CHECK(audited[1].command == "sync.run");
    CHECK(audited[1].outcome == kForbidden);
    CHECK(audited[1].caller.user == "alice");
    CHECK(audited[2].outcome == kInvalidArgs);
    CHECK(audited[2].args_json == R"({"k":1})");
}

TEST_CASE("a reply carries a handler's notes to its completion, once", "[control][audit]") {
    std::vector<std::string> lines;
    Reply reply("7", [&](std::string line, bool) { lines.push_back(std::move(line)); });
    int completions = 0;
    std::string code_seen;
    std::map<std::string, std::string> notes_seen;
    reply.on_completion([&](std::string_view code, std::string_view,
                            const std::map<std::string, std::string>& notes) {
        ++completions;
        code_seen = code;
        notes_seen = notes;
    });
    reply.note("run_id", "r-1");
    reply.progress(rapidjson::Value(1));
    CHECK(completions == 0);
    reply.fail(kFailed, "no");
    reply.ok();
    CHECK(completions == 1);
    CHECK(code_seen == kFailed);
    CHECK(notes_seen == std::map<std::string, std::string>{{"run_id", "r-1"}});
    CHECK(lines.size() == 2);
}
