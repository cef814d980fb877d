// A cluster of real nats-server processes (Debian's /usr/sbin/nats-server) on loopback, each with
// JetStream and its own store directory under a temporary directory, for the JetStream log's
// tests. The test starts it and stops it; children die with the test (PR_SET_PDEATHSIG).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace casetrail::testing {

class NatsCluster {
 public:
  explicit NatsCluster(int nodes = 3);
  ~NatsCluster();
  NatsCluster(const NatsCluster&) = delete;
  NatsCluster& operator=(const NatsCluster&) = delete;

  // Starts every node and waits until JetStream answers on all of them. False on failure.
  bool Start();
  bool StartNode(int i);
  void Kill(int i);           // SIGKILL, waits for the exit
  void Pause(int i);          // SIGSTOP
  void Resume(int i);         // SIGCONT
  void WipeStore(int i);      // removes the node's JetStream store (node must be down)
  bool Running(int i) const { return pids_[i] > 0; }
  // Waits until node i answers JetStream requests again (after StartNode).
  bool WaitReady(int i, int timeout_ms = 20000);

  int size() const { return static_cast<int>(ports_.size()); }
  std::string Url(int i) const;
  std::vector<std::string> Urls() const;
  std::string StoreDir(int i) const;
  std::string ServerName(int i) const { return "n" + std::to_string(i); }
  // Index of the node that leads `stream`, or -1 if none does (asked through any live node).
  int StreamLeader(const std::string& stream);
  // True when node i leads `stream` or is a current replica of it with no lag.
  bool ReplicaCurrent(const std::string& stream, int i);
  // A fresh stream name for one test.
  std::string NewStreamName(const std::string& prefix);

 private:
  TempDir dir_;
  std::vector<int> ports_, cluster_ports_;
  std::vector<pid_t> pids_;
  int stream_counter_ = 0;
};

// The cluster shared by every test of one test binary: started on first use, stopped at exit.
NatsCluster& SharedNatsCluster();

}  // namespace casetrail::testing
