#!/usr/bin/env python3
# Generates the labelled grouping-accuracy corpus (<family>.log, one
# "EVENT_ID<TAB>raw line" per line) from per-family event templates with
# seeded random parameters. Re-run to regenerate; outputs are checked in.
import random, os

R = random.Random(20240601)
def ip(): return "%d.%d.%d.%d" % (R.randint(1, 223), R.randint(0, 255), R.randint(0, 255), R.randint(1, 254))
def port(): return str(R.randint(1024, 65535))
def num(a=0, b=99999): return str(R.randint(a, b))
def hx(n=8): return "".join(R.choice("0123456789abcdef") for _ in range(n))
def uuid(): return "-".join([hx(8), hx(4), hx(4), hx(4), hx(12)])
USERS = ["root", "admin", "oracle", "test", "guest", "alice", "bob", "deploy", "postgres", "ubuntu", "git", "nagios", "www-data", "jenkins"]
HOSTS = ["web01", "db-primary", "cache3", "worker-17", "lb2", "api-gw", "node-a12"]
PROGS = ["chrome.exe", "firefox.exe", "outlook.exe", "Dropbox.exe", "svchost.exe", "Skype.exe", "java.exe"]
FQDN = ["mail.example.com", "proxy.cse.cuhk.edu.hk", "cdn.akamai.net", "www.google.com", "login.live.com", "api.github.com"]
SVCS = ["nginx", "sshd", "cron", "docker", "kubelet", "postgresql", "redis-server", "rsyslog"]
def user(): return R.choice(USERS)
def path(): return "/" + "/".join(R.choice(["var", "log", "tmp", "data", "srv", "home", "etc", "opt", "app", "cache"]) for _ in range(R.randint(2, 4))) + R.choice(["", ".log", ".conf", "/index.html"])
def dur(): return "%d%s" % (R.randint(1, 900), R.choice(["ms", "s", "us"]))
def size(): return "%d%s" % (R.randint(1, 999), R.choice(["KB", "MB", "GB", "B"]))
def blk(): return "blk_" + ("-" if R.random() < 0.5 else "") + num(10**17, 10**18)
def mon_ts():
    return "%s %2d %02d:%02d:%02d" % (R.choice(["Jan", "Feb", "Jun", "Jul", "Dec"]), R.randint(1, 28), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59))
def iso(sep=" ", frac=","):
    return "2024-0%d-%02d%s%02d:%02d:%02d%s%03d" % (R.randint(1, 9), R.randint(1, 28), sep, R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), frac, R.randint(0, 999))

FAM = {}

# --- distributed storage / compute ---
FAM["hdfs"] = (lambda m: "0811%02d %02d%02d%02d %d %s" % (R.randint(9, 11), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), R.randint(1, 40000), m), [
    lambda: "INFO dfs.DataNode$PacketResponder: PacketResponder %s for block %s terminating" % (num(0, 2), blk()),
    lambda: "INFO dfs.DataNode$PacketResponder: Received block %s of size %s from /%s" % (blk(), num(1000, 67108864), ip()),
    lambda: "INFO dfs.DataNode$DataXceiver: Receiving block %s src: /%s:%s dest: /%s:50010" % (blk(), ip(), port(), ip()),
    lambda: "INFO dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: blockMap updated: %s:50010 is added to %s size %s" % (ip(), blk(), num(1000, 67108864)),
    lambda: "INFO dfs.FSNamesystem: BLOCK* NameSystem.allocateBlock: /user/root/rand/_temporary/_task_200811092030_0001_m_%06d_0/part-%05d. %s" % (R.randint(0, 999), R.randint(0, 999), blk()),
    lambda: "WARN dfs.DataNode$DataXceiver: %s:50010:Got exception while serving %s to /%s:" % (ip(), blk(), ip()),
    lambda: "INFO dfs.FSNamesystem: BLOCK* NameSystem.delete: %s is added to invalidSet of %s:50010" % (blk(), ip()),
    lambda: "INFO dfs.DataNode: %s:50010 Served block %s to /%s" % (ip(), blk(), ip()),
    lambda: "INFO dfs.DataBlockScanner: Verification succeeded for %s" % blk(),
    lambda: "INFO dfs.DataNode$BlockReceiver: Exception in receiveBlock for block %s java.io.IOException: Connection reset by peer" % blk(),
    lambda: "INFO dfs.DataNode$BlockReceiver: Receiving empty packet for block %s" % blk(),
])
FAM["hadoop"] = (lambda m: "2015-10-%02d %02d:%02d:%02d,%03d %s" % (R.randint(17, 19), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), R.randint(0, 999), m), [
    lambda: "INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster for application appattempt_%d_%04d_%06d" % (R.randint(1445000000000, 1445999999999), R.randint(1, 99), 1),
    lambda: "INFO [RMCommunicator Allocator] org.apache.hadoop.mapreduce.v2.app.rm.RMContainerAllocator: Received completed container container_%d_%04d_01_%06d" % (R.randint(1445000000000, 1445999999999), R.randint(1, 99), R.randint(1, 99)),
    lambda: "INFO [AsyncDispatcher event handler] org.apache.hadoop.mapreduce.v2.app.job.impl.TaskAttemptImpl: attempt_%d_%04d_m_%06d_0 TaskAttempt Transitioned from %s to %s" % ((R.randint(1445000000000, 1445999999999), R.randint(1, 99), R.randint(1, 99)) + R.choice([("RUNNING", "SUCCESS_CONTAINER_CLEANUP"), ("NEW", "UNASSIGNED"), ("UNASSIGNED", "ASSIGNED"), ("ASSIGNED", "RUNNING")])),
    lambda: "INFO [AsyncDispatcher event handler] org.apache.hadoop.mapreduce.v2.app.job.impl.JobImpl: job_%d_%04d Job Transitioned from %s to %s" % ((R.randint(1445000000000, 1445999999999), R.randint(1, 99)) + R.choice([("NEW", "INITED"), ("INITED", "SETUP"), ("SETUP", "RUNNING")])),
    lambda: "WARN [LeaseRenewer:msrabi@msra-sa-41:9000] org.apache.hadoop.hdfs.LeaseRenewer: Failed to renew lease for [DFSClient_NONMAPREDUCE_%d_1] for %d seconds.  Will retry shortly ..." % (R.randint(10**8, 10**9), R.randint(10, 900)),
    lambda: "INFO [main] org.apache.hadoop.mapred.Task: Task:attempt_%d_%04d_m_%06d_0 is done. And is in the process of committing" % (R.randint(1445000000000, 1445999999999), R.randint(1, 99), R.randint(1, 99)),
    lambda: "ERROR [RMCommunicator Allocator] org.apache.hadoop.mapreduce.v2.app.rm.RMContainerAllocator: ERROR IN CONTACTING RM.",
    lambda: "INFO [IPC Server handler %d on %d] org.apache.hadoop.mapred.TaskAttemptListenerImpl: Progress of TaskAttempt attempt_%d_%04d_m_%06d_0 is : %.7f" % (R.randint(0, 30), R.randint(40000, 65000), R.randint(1445000000000, 1445999999999), R.randint(1, 99), R.randint(1, 99), R.random()),
    lambda: "INFO [main] org.apache.hadoop.metrics2.impl.MetricsSystemImpl: MRAppMaster metrics system started",
    lambda: "INFO [main] org.apache.hadoop.yarn.client.RMProxy: Connecting to ResourceManager at msra-sa-41/%s:8030" % ip(),
])
FAM["spark"] = (lambda m: "17/06/%02d %02d:%02d:%02d %s" % (R.randint(1, 28), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), m), [
    lambda: "INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers for [TERM, HUP, INT]",
    lambda: "INFO spark.SecurityManager: Changing view acls to: %s" % user(),
    lambda: "INFO storage.BlockManager: Found block rdd_%d_%d locally" % (R.randint(0, 50), R.randint(0, 500)),
    lambda: "INFO executor.Executor: Finished task %d.0 in stage %d.0 (TID %d). %d bytes result sent to driver" % (R.randint(0, 200), R.randint(0, 40), R.randint(0, 9000), R.randint(900, 3000)),
    lambda: "INFO executor.Executor: Running task %d.0 in stage %d.0 (TID %d)" % (R.randint(0, 200), R.randint(0, 40), R.randint(0, 9000)),
    lambda: "INFO storage.MemoryStore: Block broadcast_%d stored as values in memory (estimated size %s, free %s)" % (R.randint(0, 99), size(), size()),
    lambda: "INFO broadcast.TorrentBroadcast: Reading broadcast variable %d took %d ms" % (R.randint(0, 99), R.randint(1, 900)),
    lambda: "INFO python.PythonRunner: Times: total = %d, boot = %d, init = %d, finish = %d" % (R.randint(1, 900), R.randint(-5, 50), R.randint(1, 90), R.randint(0, 9)),
    lambda: "WARN storage.BlockManager: Putting block rdd_%d_%d failed" % (R.randint(0, 50), R.randint(0, 500)),
    lambda: "ERROR executor.CoarseGrainedExecutorBackend: RECEIVED SIGNAL 15: SIGTERM",
])
FAM["zookeeper"] = (lambda m: "2015-07-%02d %02d:%02d:%02d,%03d - %s" % (R.randint(1, 31), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), R.randint(0, 999), m), [
    lambda: "INFO  [QuorumPeer[myid=%d]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: %d" % (R.randint(1, 3), R.choice([200, 400, 800, 1600, 3200, 6400])),
    lambda: "WARN  [SendWorker:%d:QuorumCnxManager$SendWorker@688] - Send worker leaving thread" % R.randint(1, 3),
    lambda: "INFO  [NIOServerCxn.Factory:0.0.0.0/0.0.0.0:2181:NIOServerCnxnFactory@197] - Accepted socket connection from /%s:%s" % (ip(), port()),
    lambda: "INFO  [NIOServerCxn.Factory:0.0.0.0/0.0.0.0:2181:NIOServerCnxn@1001] - Closed socket connection for client /%s:%s which had sessionid 0x%s" % (ip(), port(), hx(15)),
    lambda: "WARN  [RecvWorker:%d:QuorumCnxManager$RecvWorker@765] - Interrupting SendWorker" % R.randint(1, 3),
    lambda: "INFO  [CommitProcessor:%d:ZooKeeperServer@595] - Established session 0x%s with negotiated timeout %d for client /%s:%s" % (R.randint(1, 3), hx(15), R.choice([10000, 20000, 40000]), ip(), port()),
    lambda: "WARN  [QuorumPeer[myid=%d]/0:0:0:0:0:0:0:0:2181:QuorumCnxManager@368] - Cannot open channel to %d at election address /%s:3888" % (R.randint(1, 3), R.randint(1, 3), ip()),
    lambda: "ERROR [LearnerHandler-/%s:%s:LearnerHandler@562] - Unexpected exception causing shutdown while sock still open" % (ip(), port()),
    lambda: "INFO  [ProcessThread(sid:%d cport:-1)::PrepRequestProcessor@476] - Processed session termination for sessionid: 0x%s" % (R.randint(1, 3), hx(15)),
])
FAM["openstack"] = (lambda m: "2017-05-%02d %02d:%02d:%02d.%03d %d %s" % (R.randint(14, 17), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), R.randint(0, 999), R.randint(2000, 30000), m), [
    lambda: "INFO nova.osapi_compute.wsgi.server [req-%s %s %s - - -] %s \"GET /v2/%s/servers/detail HTTP/1.1\" status: 200 len: %d time: %.7f" % (uuid(), hx(32), hx(32), ip(), hx(32), R.randint(1500, 2000), R.random()),
    lambda: "INFO nova.osapi_compute.wsgi.server [req-%s %s %s - - -] %s \"POST /v2/%s/os-server-external-events HTTP/1.1\" status: 200 len: %d time: %.7f" % (uuid(), hx(32), hx(32), ip(), hx(32), R.randint(300, 400), R.random()),
    lambda: "INFO nova.compute.manager [req-%s - - - - -] [instance: %s] VM Started (Lifecycle Event)" % (uuid(), uuid()),
    lambda: "INFO nova.compute.manager [req-%s - - - - -] [instance: %s] VM Paused (Lifecycle Event)" % (uuid(), uuid()),
    lambda: "INFO nova.compute.manager [req-%s - - - - -] [instance: %s] VM Resumed (Lifecycle Event)" % (uuid(), uuid()),
    lambda: "INFO nova.virt.libvirt.imagecache [req-%s - - - - -] image %s at (/var/lib/nova/instances/_base/%s): checking" % (uuid(), uuid(), hx(40)),
    lambda: "INFO nova.compute.claims [req-%s %s %s - - -] [instance: %s] Total memory: %d MB, used: %.2f MB" % (uuid(), hx(32), hx(32), uuid(), R.randint(60000, 70000), R.randint(512, 4096) * 1.0),
    lambda: "INFO nova.compute.resource_tracker [req-%s - - - - -] Final resource view: name=cp-1.slowvm1.tcloud-pg0.utah.cloudlab.us phys_ram=%dMB used_ram=%dMB phys_disk=%dGB used_disk=%dGB total_vcpus=16 used_vcpus=%d pci_stats=[]" % (uuid(), R.randint(60000, 70000), R.randint(512, 9000), R.randint(10, 20), R.randint(0, 20), R.randint(0, 8)),
    lambda: "WARNING nova.virt.libvirt.imagecache [req-%s - - - - -] Unknown base file: /var/lib/nova/instances/_base/%s" % (uuid(), hx(40)),
    lambda: "INFO nova.virt.libvirt.driver [-] [instance: %s] Instance destroyed successfully." % uuid(),
])
# --- supercomputers ---
BGL_NODE = lambda: "R%02d-M%d-N%d-C:J%02d-U%02d" % (R.randint(0, 77), R.randint(0, 1), R.randint(0, 15), R.randint(2, 17), R.randint(1, 11))
def bgl(m):
    n = BGL_NODE(); e = R.randint(1117838570, 1120000000)
    return "- %d 2005.06.%02d %s 2005-06-%02d-%02d.%02d.%02d.%06d %s %s" % (e, R.randint(1, 28), n, R.randint(1, 28), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), R.randint(0, 999999), n, m)
FAM["bgl"] = (bgl, [
    lambda: "RAS KERNEL INFO instruction cache parity error corrected",
    lambda: "RAS KERNEL INFO generating core.%d" % R.randint(0, 9999),
    lambda: "RAS KERNEL INFO %d double-hummer alignment exceptions" % R.randint(1, 99),
    lambda: "RAS KERNEL FATAL data TLB error interrupt",
    lambda: "RAS APP FATAL ciod: Error reading message prefix after LOGIN_MESSAGE on CioStream socket to %s:%s, Link has been severed" % (ip(), port()),
    lambda: "RAS KERNEL INFO CE sym %d, at 0x%s, mask 0x%s" % (R.randint(0, 31), hx(8), hx(2)),
    lambda: "RAS KERNEL FATAL rts: kernel terminated for reason %d" % R.choice([1001, 1002, 1004]),
    lambda: "RAS KERNEL INFO total of %d ddr error(s) detected and corrected" % R.randint(1, 40),
    lambda: "RAS KERNEL FATAL machine check interrupt (bit=0x%s): L2 dcache unit data parity error" % hx(2),
])
FAM["hpc"] = (lambda m: "%d node-%d %s" % (R.randint(1, 500000), R.randint(0, 300), m), [
    lambda: "unix.hw state_change.unavailable %d 1 Component State Change: Component \\042alt%d\\042 is in the unavailable state (HWID=%d)" % (R.randint(1077000000, 1079000000), R.randint(0, 3), R.randint(1000, 5000)),
    lambda: "node.fan fan %d 1 Fan speeds ( %d %d %d %d %d %d )" % (R.randint(1077000000, 1079000000), *[R.randint(3000, 5000) for _ in range(6)]),
    lambda: "node.psu psu.failure %d 1 ambient=%d" % (R.randint(1077000000, 1079000000), R.randint(20, 40)),
    lambda: "action start %d 1 run-level 3 %s" % (R.randint(1077000000, 1079000000), R.choice(["/sbin/rc", "/etc/rc.d/rc"])),
    lambda: "node.status boot %d 1 Node boot initiated" % R.randint(1077000000, 1079000000),
    lambda: "node.status halt %d 1 halt (command: halt) Error: Node halted" % R.randint(1077000000, 1079000000),
    lambda: "switch_module link.error %d 1 Link error on broadcast tree Interconnect-%dT00:0%d:S0:P%d" % (R.randint(1077000000, 1079000000), R.randint(0, 9), R.randint(0, 9), R.randint(0, 30)),
    lambda: "gige.interface down %d 1 interface eth%d is down" % (R.randint(1077000000, 1079000000), R.randint(0, 3)),
])
def tbird(m):
    n = "dn%d" % R.randint(1, 999); e = R.randint(1131566461, 1132000000)
    return "- %d 2005.11.%02d %s %s %s/%s %s" % (e, R.randint(1, 28), n, mon_ts(), n, n, m)
FAM["thunderbird"] = (tbird, [
    lambda: "crond(pam_unix)[%d]: session closed for user %s" % (R.randint(1000, 30000), user()),
    lambda: "crond(pam_unix)[%d]: session opened for user %s by (uid=0)" % (R.randint(1000, 30000), user()),
    lambda: "crond[%d]: (root) CMD (run-parts /etc/cron.hourly)" % R.randint(1000, 30000),
    lambda: "ntpd[%d]: synchronized to %s, stratum %d" % (R.randint(1000, 30000), ip(), R.randint(1, 4)),
    lambda: "kernel: e1000: eth%d: e1000_watchdog: NIC Link is Up 1000 Mbps Full Duplex" % R.randint(0, 1),
    lambda: "sshd[%d]: Accepted publickey for %s from %s port %s ssh2" % (R.randint(1000, 30000), user(), ip(), port()),
    lambda: "kernel: Losing some ticks... checking if CPU frequency changed.",
    lambda: "pbs_mom: Connection refused (111) in open_demux, open_demux: connect %s:%s" % (ip(), port()),
])
# --- OS syslog, desktop, mobile ---
syslog = lambda host: (lambda m: "%s %s %s" % (mon_ts(), host, m))
FAM["linux"] = (syslog("combo"), [
    lambda: "sshd(pam_unix)[%d]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=%s" % (R.randint(1000, 30000), ip()),
    lambda: "sshd(pam_unix)[%d]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=%s  user=%s" % (R.randint(1000, 30000), ip(), user()),
    lambda: "su(pam_unix)[%d]: session opened for user %s by (uid=%d)" % (R.randint(1000, 30000), user(), R.randint(0, 600)),
    lambda: "su(pam_unix)[%d]: session closed for user %s" % (R.randint(1000, 30000), user()),
    lambda: "ftpd[%d]: connection from %s () at %s" % (R.randint(1000, 30000), ip(), "Sun Jul 17 %02d:%02d:%02d 2005" % (R.randint(0, 23), R.randint(0, 59), R.randint(0, 59))),
    lambda: "kernel: Out of Memory: Killed process %d (%s)." % (R.randint(100, 30000), R.choice(["httpd", "mysqld", "java", "sendmail"])),
    lambda: "logrotate: ALERT exited abnormally with [1]",
    lambda: "syslogd 1.4.1: restart.",
    lambda: "cups: cupsd shutdown succeeded",
    lambda: "gdm(pam_unix)[%d]: check pass; user unknown" % R.randint(1000, 30000),
])
FAM["mac"] = (syslog("calvisitor-10-105-160-95"), [
    lambda: "kernel[0]: ARPT: %d.%06d: AirPort_Brcm43xx::syncPowerState: WWEN[enabled]" % (R.randint(600000, 700000), R.randint(0, 999999)),
    lambda: "kernel[0]: ARPT: %d.%06d: wl0: MDNS: IPV4 Addr: %s" % (R.randint(600000, 700000), R.randint(0, 999999), ip()),
    lambda: "com.apple.CDScheduler[%d]: Thermal pressure state: %d Memory pressure state: %d" % (R.randint(40, 90), R.randint(0, 1), R.randint(0, 1)),
    lambda: "QQ[%d]: button report: 0x%s" % (R.randint(10000, 20000), hx(7)),
    lambda: "kernel[0]: Previous sleep cause: %d" % R.randint(1, 5),
    lambda: "kernel[0]: Wake reason: %s" % R.choice(["ARPT (Network)", "EC.SleepTimer (SleepTimer)", "RTC (Alarm)", "XHC1"]),
    lambda: "com.apple.AddressBook.InternetAccountsBridge[%d]: Checking iCloud account status" % R.randint(1000, 9000),
    lambda: "sharingd[%d]: %s : Scanning mode Contacts Only" % (R.randint(20, 90), "%02d:%02d:%02d.%03d" % (R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), R.randint(0, 999))),
    lambda: "networkd[%d]: nw_nat64_post_new_ifstate successfully changed NAT64 ifstate from 0x%s to 0x%s" % (R.randint(100, 300), hx(1), hx(8)),
])
FAM["windows"] = (lambda m: "2016-09-%02d %02d:%02d:%02d, %s" % (R.randint(1, 30), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), m), [
    lambda: "Info                  CBS    Loaded Servicing Stack v6.1.7601.%d with Core: C:\\Windows\\winsxs\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_6.1.7601.%d_none_%s\\cbscore.dll" % (R.randint(23000, 24000), R.randint(23000, 24000), hx(16)),
    lambda: "Info                  CSI    %08x@2016/9/%d:%02d:%02d:%02d.%03d WcpInitialize (wcp.dll version 0.0.0.6) called (stack @0x%s @0x%s)" % (R.randint(0, 2**31), R.randint(1, 30), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), R.randint(0, 999), hx(12), hx(12)),
    lambda: "Info                  CBS    Session: %d_%d initialized by client WindowsUpdateAgent." % (R.randint(30546000, 30547000), R.randint(10**9, 4 * 10**9)),
    lambda: "Info                  CBS    Starting TrustedInstaller initialization.",
    lambda: "Info                  CBS    Ending TrustedInstaller initialization.",
    lambda: "Info                  CBS    SQM: Failed to start upload with file pattern: C:\\Windows\\servicing\\sqm\\*_std.sqm, flags: 0x%s [HRESULT = 0x80004005 - E_FAIL]" % hx(1),
    lambda: "Info                  CBS    Read out cached package applicability for package: Package_for_KB%d~31bf3856ad364e35~amd64~~6.1.1.%d, ApplicableState: %d, CurrentState:%d" % (R.randint(2500000, 3200000), R.randint(0, 9), R.choice([80, 112]), R.choice([0, 112])),
    lambda: "Warning               CBS    Failed to get next element [HRESULT = 0x800f080d - CBS_E_MANIFEST_INVALID_ITEM]",
])
FAM["windows_csv"] = (lambda m: m, [
    lambda: "Information,%d/%d/2024 %d:%02d:%02d %s,Service Control Manager,7036,None,The %s service entered the %s state." % (R.randint(1, 12), R.randint(1, 28), R.randint(1, 12), R.randint(0, 59), R.randint(0, 59), R.choice(["AM", "PM"]), R.choice(["Windows Update", "Print Spooler", "WinHTTP Web Proxy Auto-Discovery Service", "Windows Modules Installer"]), R.choice(["running", "stopped"])),
    lambda: "Error,%d/%d/2024 %d:%02d:%02d AM,Service Control Manager,7000,None,The %s service failed to start due to the following error: The system cannot find the file specified." % (R.randint(1, 12), R.randint(1, 28), R.randint(1, 12), R.randint(0, 59), R.randint(0, 59), R.choice(["foo", "bar", "Dhcp"])),
    lambda: "Warning,%d/%d/2024 %d:%02d:%02d PM,Microsoft-Windows-Time-Service,129,None,NtpClient was unable to set a domain peer to use as a time source because of discovery error. NtpClient will try again in %d minutes and double the reattempt interval thereafter." % (R.randint(1, 12), R.randint(1, 28), R.randint(1, 12), R.randint(0, 59), R.randint(0, 59), R.choice([15, 30, 60])),
    lambda: "Information,%d/%d/2024 %d:%02d:%02d AM,Microsoft-Windows-Kernel-General,1,None,The system time has changed to \u200e2024\u200e-\u200e0%d\u200e-%02dT%02d:00:00.%09dZ from \u200e2024\u200e-\u200e01\u200e-01T00:00:00Z." % (R.randint(1, 12), R.randint(1, 28), R.randint(1, 12), R.randint(0, 59), R.randint(0, 59), R.randint(1, 9), R.randint(1, 28), R.randint(0, 23), R.randint(0, 10**9 - 1)),
    lambda: "Information,%d/%d/2024 %d:%02d:%02d AM,Microsoft-Windows-Winlogon,7001,(1101),User Logon Notification for Customer Experience Improvement Program" % (R.randint(1, 12), R.randint(1, 28), R.randint(1, 12), R.randint(0, 59), R.randint(0, 59)),
])
FAM["android"] = (lambda m: "03-%02d %02d:%02d:%02d.%03d  %d  %d %s" % (R.randint(1, 28), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), R.randint(0, 999), R.randint(600, 30000), R.randint(600, 30000), m), [
    lambda: "D PowerManagerService: acquire lock=%d, flags=0x1, tag=\"%s\", name=%s, ws=WorkSource{%d}, uid=%d, pid=%d" % (R.randint(10**6, 10**9), R.choice(["RILJ_ACK_WL", "*alarm*", "NlpWakeLock", "WakefulExecutor"]), R.choice(["com.android.phone", "android", "com.google.android.gms"]), R.randint(1000, 11000), R.randint(1000, 11000), R.randint(600, 30000)),
    lambda: "D PowerManagerService: release:lock=%d, flg=0x0, tag=\"%s\", name=%s, ws=WorkSource{%d}, uid=%d, pid=%d" % (R.randint(10**6, 10**9), R.choice(["RILJ_ACK_WL", "*alarm*", "NlpWakeLock"]), R.choice(["com.android.phone", "android"]), R.randint(1000, 11000), R.randint(1000, 11000), R.randint(600, 30000)),
    lambda: "I ActivityManager: Start proc %d:%s/u0a%d for service %s/.%s" % (R.randint(600, 30000), R.choice(["com.tencent.mm", "com.android.vending", "com.google.android.gms"]), R.randint(10, 200), R.choice(["com.tencent.mm", "com.android.vending"]), R.choice(["PushService", "SyncService"])),
    lambda: "V WindowManager: Skipping AppWindowToken{%s token=Token{%s ActivityRecord{%s u0 %s t%d}}} -- going to hide" % (hx(7), hx(7), hx(7), R.choice(["com.tencent.mm/.ui.LauncherUI", "com.android.settings/.Settings"]), R.randint(100, 999)),
    lambda: "E ConnectivityService: RemoteException caught trying to send a callback msg for NetworkRequest [ id=%d, legacyType=-1, [ Capabilities: INTERNET&NOT_RESTRICTED&TRUSTED] ]" % R.randint(1, 999),
    lambda: "W InputMethodManagerService: Window already focused, ignoring focus gain of: com.android.internal.view.IInputMethodClient$Stub$Proxy@%s attribute=null, token = android.os.BinderProxy@%s" % (hx(7), hx(7)),
    lambda: "D DisplayPowerController: Animating brightness: target=%d, rate=%d" % (R.randint(1, 255), R.randint(0, 400)),
    lambda: "I Zygote  : Process %d exited due to signal (%d)" % (R.randint(600, 30000), R.choice([9, 6, 11])),
])
FAM["healthapp"] = (lambda m: "201712%02d-%02d:%02d:%02d:%03d|%s" % (R.randint(1, 31), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), R.randint(0, 999), m), [
    lambda: "Step_LSC|30002312|onStandStepChanged %d" % R.randint(1, 9999),
    lambda: "Step_LSC|30002312|onExtend:%d %d %d %d" % (R.randint(10**12, 10**13), R.randint(0, 9), R.randint(0, 9), R.randint(0, 9)),
    lambda: "Step_SPUtils|30002312| getTodayTotalDetailSteps = %d##%d##%d##%d##%d##%d" % tuple(R.randint(1, 10**9) for _ in range(6)),
    lambda: "Step_StandReportReceiver|30002312|onReceive action: android.intent.action.SCREEN_%s" % R.choice(["ON", "OFF"]),
    lambda: "HiH_HiSyncUtil|30002312|calculateTimeStamp = %d" % R.randint(10**12, 10**13),
    lambda: "Step_ExtSDM|30002312|calculateCaloriesWithCache totalCalories=%d" % R.randint(1000, 200000),
    lambda: "Step_LSC|30002312|processHandleBroadcastAction action:android.intent.action.TIME_TICK",
    lambda: "HiH_DataStatManager|30002312|flushTempCacheToDB by %s" % R.choice(["upload", "timer", "screen"]),
])
FAM["apache"] = (lambda m: "[%s %s %02d %02d:%02d:%02d 2005] %s" % (R.choice(["Sun", "Mon", "Tue"]), R.choice(["Dec", "Jan"]), R.randint(1, 28), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), m), [
    lambda: "[notice] jk2_init() Found child %d in scoreboard slot %d" % (R.randint(1000, 9999), R.randint(0, 12)),
    lambda: "[notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties",
    lambda: "[error] mod_jk child workerEnv in error state %d" % R.randint(6, 9),
    lambda: "[error] [client %s] Directory index forbidden by rule: %s/" % (ip(), R.choice(["/var/www/html", "/srv/www/htdocs", "/home/web/public_html"])),
    lambda: "[error] jk2_init() Can't find child %d in scoreboard" % R.randint(1000, 9999),
    lambda: "[notice] Apache/2.0.49 (Fedora) configured -- resuming normal operations",
    lambda: "[error] [client %s] File does not exist: %s" % (ip(), path()),
    lambda: "[error] env.createBean2(): Factory error creating channel.jni:jni ( channel.jni, jni)",
])
FAM["apache_access"] = (lambda m: m, [
    lambda: "%s - - [%02d/Oct/2023:%02d:%02d:%02d +0000] \"GET %s HTTP/1.1\" 200 %d \"-\" \"Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/118.0\"" % (ip(), R.randint(1, 28), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), path(), R.randint(100, 99999)),
    lambda: "%s - %s [%02d/Oct/2023:%02d:%02d:%02d +0000] \"POST /api/v1/login HTTP/1.1\" 401 %d \"-\" \"curl/8.%d.0\"" % (ip(), user(), R.randint(1, 28), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), R.randint(10, 99), R.randint(0, 5)),
])
FAM["proxifier"] = (lambda m: "[10.%02d %02d:%02d:%02d] %s - %s" % (R.randint(1, 31), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), R.choice(PROGS), m), [
    lambda: "%s:%d open through proxy proxy.cse.cuhk.edu.hk:5070 HTTPS" % (R.choice(FQDN), R.choice([443, 80])),
    lambda: "%s:%d close, %d bytes sent, %d bytes received, lifetime %02d:%02d" % (R.choice(FQDN), R.choice([443, 80]), R.randint(0, 99999), R.randint(0, 99999), R.randint(0, 59), R.randint(0, 59)),
    lambda: "%s:%d close, %d bytes (%s) sent, %d bytes (%s) received, lifetime %02d:%02d" % (R.choice(FQDN), R.choice([443, 80]), R.randint(1000, 99999), size(), R.randint(1000, 99999), size(), R.randint(0, 59), R.randint(0, 59)),
    lambda: "%s:%d error : Could not connect through proxy proxy.cse.cuhk.edu.hk:5070 - Proxy server cannot establish a connection with the target, status code %d" % (R.choice(FQDN), R.choice([443, 80]), R.choice([503, 502])),
    lambda: "%s:%d open through proxy socks.cse.cuhk.edu.hk:5070 SOCKS5" % (R.choice(FQDN), R.choice([443, 80])),
])
FAM["openssh"] = (syslog("LabSZ"), [
    lambda: "sshd[%d]: Invalid user %s from %s" % (R.randint(1000, 30000), user(), ip()),
    lambda: "sshd[%d]: input_userauth_request: invalid user %s [preauth]" % (R.randint(1000, 30000), user()),
    lambda: "sshd[%d]: Failed password for invalid user %s from %s port %s ssh2" % (R.randint(1000, 30000), user(), ip(), port()),
    lambda: "sshd[%d]: Failed password for %s from %s port %s ssh2" % (R.randint(1000, 30000), user(), ip(), port()),
    lambda: "sshd[%d]: Accepted password for %s from %s port %s ssh2" % (R.randint(1000, 30000), user(), ip(), port()),
    lambda: "sshd[%d]: Received disconnect from %s: 11: Bye Bye [preauth]" % (R.randint(1000, 30000), ip()),
    lambda: "sshd[%d]: Connection closed by %s [preauth]" % (R.randint(1000, 30000), ip()),
    lambda: "sshd[%d]: reverse mapping checking getaddrinfo for %s [%s] failed - POSSIBLE BREAK-IN ATTEMPT!" % (R.randint(1000, 30000), R.choice(["ns.example.com", "host-%d.dynamic.isp.net" % R.randint(1, 999)]), ip()),
    lambda: "sshd[%d]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=%s" % (R.randint(1000, 30000), ip(), user()),
    lambda: "sshd[%d]: pam_unix(sshd:auth): check pass; user unknown" % R.randint(1000, 30000),
    lambda: "sshd[%d]: PAM %d more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=%s" % (R.randint(1000, 30000), R.randint(1, 5), ip(), user()),
    lambda: "sshd[%d]: Disconnecting: Too many authentication failures for %s [preauth]" % (R.randint(1000, 30000), user()),
])
# --- cloud controllers (Kubernetes: klog, JSON-file, CRI) ---
def klog(m):
    lvl, rest = m.split(" ", 1)
    return "%s%02d%02d %02d:%02d:%02d.%06d %7d %s" % (lvl, R.randint(1, 12), R.randint(1, 28), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), R.randint(0, 999999), R.randint(1, 99), rest)
POD = lambda: "%s/%s-%s-%s" % (R.choice(["default", "kube-system", "prod"]), R.choice(["web", "api", "coredns", "redis"]), hx(10), hx(5))
FAM["kube_controller"] = (klog, [
    lambda: "I event.go:291] \"Event occurred\" object=\"%s\" kind=\"Pod\" apiVersion=\"v1\" type=\"Normal\" reason=\"Scheduled\" message=\"Successfully assigned %s to node-%d\"" % (POD(), POD(), R.randint(1, 9)),
    lambda: "E reflector.go:138] k8s.io/client-go/informers/factory.go:134: Failed to watch *v1.Pod: failed to list *v1.Pod: Get \"https://%s:6443/api/v1/pods?limit=500&resourceVersion=0\": dial tcp %s:6443: connect: connection refused" % (ip(), ip()),
    lambda: "I leaderelection.go:248] attempting to acquire leader lease kube-system/kube-controller-manager...",
    lambda: "I leaderelection.go:258] successfully acquired lease kube-system/kube-controller-manager",
    lambda: "W reflector.go:436] k8s.io/client-go/informers/factory.go:134: watch of *v1.Endpoints ended with: very short watch: k8s.io/client-go/informers/factory.go:134: Unexpected watch close - watch lasted less than a second and no items received",
    lambda: "I replica_set.go:563] \"Too few replicas\" replicaSet=\"%s\" need=%d creating=%d" % (POD(), R.randint(1, 9), R.randint(1, 9)),
    lambda: "E node_lifecycle_controller.go:1107] Error updating node node-%d: Operation cannot be fulfilled on nodes \"node-%d\": the object has been modified; please apply your changes to the latest version and try again" % (R.randint(1, 9), R.randint(1, 9)),
    lambda: "I garbagecollector.go:471] \"Processing object\" object=\"%s\" objectUID=%s kind=\"ReplicaSet\" virtual=false" % (POD(), uuid()),
])
import json
def jline(m):
    lvl, msg, extra = m
    d = {"level": lvl, "ts": R.randint(1700000000, 1710000000) + R.random(), "caller": "%s.go:%d" % (R.choice(["server/handler", "db/pool", "auth/jwt"]), R.randint(10, 400)), "msg": msg}
    d.update(extra)
    return json.dumps(d)
FAM["json_app"] = (jline, [
    lambda: ("info", "request completed", {"method": "GET", "path": path(), "status": 200, "duration_ms": R.randint(1, 900)}),
    lambda: ("info", "user %s logged in from %s" % (user(), ip()), {}),
    lambda: ("warn", "slow query took %s" % dur(), {"table": R.choice(["users", "orders"])}),
    lambda: ("error", "database connection lost: dial tcp %s:5432: i/o timeout" % ip(), {}),
    lambda: ("error", "token expired for session %s" % uuid(), {}),
    lambda: ("info", "cache hit ratio %.2f over %d keys" % (R.random(), R.randint(100, 99999)), {}),
    lambda: ("debug", "retrying request to %s attempt %d of %d" % (R.choice(FQDN), R.randint(1, 5), 5), {}),
])
FAM["nginx_error"] = (lambda m: "2024/0%d/%02d %02d:%02d:%02d %s" % (R.randint(1, 9), R.randint(1, 28), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), m), [
    lambda: "[error] %d#%d: *%d open() \"%s\" failed (2: No such file or directory), client: %s, server: %s, request: \"GET %s HTTP/1.1\", host: \"%s\"" % (R.randint(100, 9999), 0, R.randint(1, 99999), path(), ip(), R.choice(FQDN), path(), R.choice(FQDN)),
    lambda: "[error] %d#%d: *%d connect() failed (111: Connection refused) while connecting to upstream, client: %s, server: %s, request: \"GET %s HTTP/1.1\", upstream: \"http://%s:8080%s\", host: \"%s\"" % (R.randint(100, 9999), 0, R.randint(1, 99999), ip(), R.choice(FQDN), path(), ip(), path(), R.choice(FQDN)),
    lambda: "[warn] %d#%d: *%d an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/%d/%02d/%010d while reading upstream, client: %s, server: %s, request: \"GET %s HTTP/1.1\"" % (R.randint(100, 9999), 0, R.randint(1, 99999), R.randint(0, 9), R.randint(0, 99), R.randint(0, 10**9), ip(), R.choice(FQDN), path()),
    lambda: "[notice] %d#%d: signal process started" % (R.randint(100, 9999), 0),
    lambda: "[crit] %d#%d: *%d SSL_do_handshake() failed (SSL: error:141CF06C:SSL routines:tls_parse_ctos_key_share:bad key share) while SSL handshaking, client: %s, server: 0.0.0.0:443" % (R.randint(100, 9999), 0, R.randint(1, 99999), ip()),
])

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for name, (wrap, events) in FAM.items():
        lines = []
        n = 240
        # Every event appears; frequencies are skewed like real logs.
        weights = [1.0 / (k + 1) ** 0.8 for k in range(len(events))]
        order = list(range(len(events))) + R.choices(range(len(events)), weights=weights, k=n - len(events))
        R.shuffle(order)
        for k in order:
            lines.append("E%d\t%s" % (k + 1, wrap(events[k]())))
        with open(os.path.join(here, name + ".log"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")

if __name__ == "__main__":
    main()
