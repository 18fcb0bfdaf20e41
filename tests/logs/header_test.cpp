// Header detection per log family: timestamp, host, level, component, pid and
// the message that is left for templating.
#include <gtest/gtest.h>

#include "logs/header.h"

using namespace pocketops::logs;

namespace {
struct Case {
  const char* line;
  const char* format;
  const char* ts;
  const char* host;
  const char* level;
  const char* component;
  const char* pid;
  const char* message;
};

const Case kCases[] = {
    {"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed", "rfc5424",
     "2003-10-11T22:14:15.003Z", "mymachine.example.com", "critical", "su", "", "'su root' failed"},
    {"<13>Feb  5 17:32:18 10.0.0.99 myapp[1234]: Use the BFG!", "syslog", "Feb  5 17:32:18", "10.0.0.99", "notice",
     "myapp", "1234", "Use the BFG!"},
    {"Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown", "syslog", "Jun 14 15:16:01", "combo", "",
     "sshd(pam_unix)", "19939", "check pass; user unknown"},
    {"Jan 02 03:04:05.123456 host1 systemd[1]: Started Session 4.", "syslog", "Jan 02 03:04:05.123456", "host1", "",
     "systemd", "1", "Started Session 4."},
    {"2024-01-02T03:04:05+0000 web01 nginx[811]: worker process started", "iso", "2024-01-02T03:04:05+0000", "web01", "",
     "nginx", "811", "worker process started"},
    {"2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster", "iso",
     "2015-10-18 18:01:47,978", "", "info", "org.apache.hadoop.mapreduce.v2.app.MRAppMaster", "", "Created MRAppMaster"},
    {"2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0.0.0.0:2181:FastLeaderElection@774] - Notification time out: "
     "3200",
     "iso", "2015-07-29 17:41:44,747", "", "info", "QuorumPeer[myid=1]/0.0.0.0:2181:FastLeaderElection@774", "",
     "Notification time out: 3200"},
    {"2017-05-16 00:00:00.008 25746 INFO nova.compute.manager [req-38101a0b - - - - -] VM Started", "iso",
     "2017-05-16 00:00:00.008", "", "info", "nova.compute.manager", "25746", "VM Started"},
    {"2024-01-02 03:04:05,123 - myapp.db - ERROR - connection lost", "iso", "2024-01-02 03:04:05,123", "", "error",
     "myapp.db", "", "connection lost"},
    {"2016-09-28 04:30:30, Info                  CBS    Starting TrustedInstaller initialization.", "iso",
     "2016-09-28 04:30:30", "", "info", "CBS", "", "Starting TrustedInstaller initialization."},
    {"081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 terminating", "hdfs", "081109 203615", "",
     "info", "dfs.DataNode$PacketResponder", "148", "PacketResponder 1 terminating"},
    {"17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers", "yy/mm/dd",
     "17/06/09 20:10:40", "", "info", "executor.CoarseGrainedExecutorBackend", "", "Registered signal handlers"},
    {"03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogs", "logcat", "03-17 16:13:38.811", "",
     "debug", "WindowManager", "1702", "printFreezingDisplayLogs"},
    {"20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579", "pipe", "20171223-22:15:29:606", "", "",
     "Step_LSC", "30002312", "onStandStepChanged 3579"},
    {"- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO "
     "instruction cache parity error corrected",
     "bgl", "2005-06-03-15.42.50.675872", "R02-M1-N0-C:J12-U11", "info", "KERNEL", "",
     "instruction cache parity error corrected"},
    {"- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond(pam_unix)[2915]: session closed for user root",
     "thunderbird", "Nov 9 12:01:01", "dn228", "", "crond(pam_unix)", "2915", "session closed for user root"},
    {"134681 node-246 unix.hw state_change.unavailable 1077804742 1 Component State Change", "hpc", "1077804742",
     "node-246", "", "unix.hw", "", "Component State Change"},
    {"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a.gif HTTP/1.0\" 404 2326", "access",
     "10/Oct/2000:13:55:36 -0700", "127.0.0.1", "warning", "access", "", "\"GET /a.gif HTTP/1.0\" 404 2326"},
    {"[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6", "apache-error",
     "Sun Dec 04 04:47:44 2005", "", "error", "", "", "mod_jk child workerEnv in error state 6"},
    {"[Wed Oct 11 14:32:52.123456 2017] [core:error] [pid 1234:tid 5678] [client 1.2.3.4:5678] AH00037: Symbolic link",
     "apache-error", "Wed Oct 11 14:32:52.123456 2017", "", "error", "core", "1234",
     "[client 1.2.3.4:5678] AH00037: Symbolic link"},
    {"[10.30 16:49:06] chrome.exe - proxy.cse.cuhk.edu.hk:5070 open through proxy", "bracket", "10.30 16:49:06", "", "",
     "chrome.exe", "", "proxy.cse.cuhk.edu.hk:5070 open through proxy"},
    {"[   12.345678] usb 1-1: new high-speed USB device", "dmesg", "12.345678", "", "", "kernel", "",
     "usb 1-1: new high-speed USB device"},
    {"2024/01/02 03:04:05 [error] 1234#5678: *9 open() failed", "iso", "2024/01/02 03:04:05", "", "error", "", "1234",
     "*9 open() failed"},
    {"I0102 03:04:05.123456   12345 controller.go:123] Successfully synced", "klog", "0102 03:04:05.123456", "",
     "info", "controller.go:123", "12345", "Successfully synced"},
    {"{\"log\":\"E0102 03:04:05.123456       1 reflector.go:138] failed to list\\n\",\"stream\":\"stderr\",\"time\":"
     "\"2024-01-02T03:04:05.1Z\"}",
     "json", "2024-01-02T03:04:05.1Z", "", "error", "reflector.go:138", "1", "failed to list"},
    {"{\"level\":\"warn\",\"ts\":1704164645,\"caller\":\"main.go:42\",\"msg\":\"slow query\",\"host\":\"db1\"}", "json",
     "1704164645", "db1", "warning", "main.go:42", "", "slow query"},
    {"2024-01-02T03:04:05.123456789Z stderr F I0102 03:04:05.123456       1 leader.go:10] acquire lease", "cri",
     "2024-01-02T03:04:05.123456789Z", "", "info", "leader.go:10", "1", "acquire lease"},
    {"Information,1/2/2024 3:04:05 AM,Service Control Manager,7036,None,The service entered the running state.",
     "windows-csv", "1/2/2024 3:04:05 AM", "", "info", "Service Control Manager", "",
     "The service entered the running state."},
    {"WARNING:root:disk almost full", "python-basic", "", "", "warning", "root", "", "disk almost full"},
    {"03:04:05.123 [main] INFO  com.example.App - Started App in 2.5 seconds", "time", "03:04:05.123", "", "info",
     "com.example.App", "", "Started App in 2.5 seconds"},
    {"just some text without a header", "plain", "", "", "", "", "", "just some text without a header"},
    {"ERROR: disk full", "plain", "", "", "error", "", "", "disk full"},
};
}  // namespace

TEST(Header, DetectsEveryFamilyWithoutConfiguration) {
  HeaderScratch sc;
  for (const auto& c : kCases) {
    Header h;
    parse_header(c.line, h, sc);
    SCOPED_TRACE(c.line);
    EXPECT_EQ(h.format, c.format);
    EXPECT_EQ(h.ts, c.ts);
    EXPECT_EQ(h.host, c.host);
    EXPECT_EQ(h.level, c.level);
    EXPECT_EQ(h.component, c.component);
    EXPECT_EQ(h.pid, c.pid);
    EXPECT_EQ(h.message, c.message);
  }
}

TEST(Header, CanonicalLevels) {
  EXPECT_EQ(canonical_level("WARN"), "warning");
  EXPECT_EQ(canonical_level("Information"), "info");
  EXPECT_EQ(canonical_level("FATAL"), "critical");
  EXPECT_EQ(canonical_level("err"), "error");
  EXPECT_EQ(canonical_level("hello"), "");
}

TEST(Header, HostileLinesNeverCrash) {
  HeaderScratch sc;
  Header h;
  const char* nasty[] = {"<", "<999>", "<1>1", "[", "[]", "[ 1.]", "{", "{\"msg\":3}", "- 1234567890 2005.06.03",
                         "Jan", "Jan 1", "Jan 1 1:", "2024-01-02T", "I0102 ", "\"a\",\"b\"", "1.2.3.4 - - [",
                         "20171223-|", "03-17 1", "\xff\xfe\x00garbage"};
  for (const char* n : nasty) {
    parse_header(n, h, sc);
    EXPECT_LE(h.message.size(), std::string_view(n).size() + 64);
  }
  std::string big(1 << 20, '[');
  parse_header(big, h, sc);
  std::string zeros(1000, '\0');
  parse_header(zeros, h, sc);
  SUCCEED();
}
