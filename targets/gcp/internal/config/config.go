// Package config is the environment of a node program on Google Cloud: the
// variables the deployment sets and the node program reads, in one place so
// that the two cannot disagree.
package config

import (
	"fmt"
	"strconv"
	"time"
)

// The environment variables of a node program.
const (
	EnvProject           = "UNUMC_PROJECT"            // the project of Firestore and Pub/Sub
	EnvDatabase          = "UNUMC_DATABASE"           // the Firestore database; default "(default)"
	EnvCollection        = "UNUMC_COLLECTION"         // the workflow's Firestore collection
	EnvTopicPrefix       = "UNUMC_TOPIC_PREFIX"       // a node's topic is this plus its identifier
	EnvCheckpointTTL     = "UNUMC_CHECKPOINT_TTL"     // a Go duration; default 24h
	EnvStatusTTL         = "UNUMC_STATUS_TTL"         // a Go duration; default 168h
	EnvInlineLimit       = "UNUMC_INLINE_LIMIT"       // bytes; default 256 KiB
	EnvFanOutConcurrency = "UNUMC_FANOUT_CONCURRENCY" // default 16

	// Fault injection, for tests on the emulators only: the probability
	// of a crash at each fault point, of losing the acknowledgement of a
	// delivery (so Pub/Sub delivers the message again), the seed of the
	// schedule, and a directory where processes note the deliveries they
	// crashed, so that a redelivery does not crash again.
	EnvChaosKill    = "UNUMC_CHAOS_KILL"
	EnvChaosNack    = "UNUMC_CHAOS_NACK"
	EnvChaosSeed    = "UNUMC_CHAOS_SEED"
	EnvChaosState   = "UNUMC_CHAOS_STATE"
	DefaultDatabase = "(default)"
)

// Config is a node program's settings.
type Config struct {
	Project, Database, Collection, TopicPrefix string
	CheckpointTTL, StatusTTL                   time.Duration
	InlineLimit, FanOutConcurrency             int
	ChaosKill, ChaosNack                       float64
	ChaosSeed                                  int64
	ChaosState                                 string
}

// FromEnv reads the settings, with defaults for the optional ones.
func FromEnv(getenv func(string) string) (*Config, error) {
	c := &Config{
		Project:     getenv(EnvProject),
		Database:    getenv(EnvDatabase),
		Collection:  getenv(EnvCollection),
		TopicPrefix: getenv(EnvTopicPrefix),
		ChaosState:  getenv(EnvChaosState),
	}
	if c.Project == "" {
		c.Project = getenv("GOOGLE_CLOUD_PROJECT")
	}
	if c.Database == "" {
		c.Database = DefaultDatabase
	}
	var missing []string
	for _, m := range []struct{ name, v string }{{EnvProject, c.Project}, {EnvCollection, c.Collection}, {EnvTopicPrefix, c.TopicPrefix}} {
		if m.v == "" {
			missing = append(missing, m.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%v not set: the deployment sets them (see unumc deploy -t gcp)", missing)
	}
	var err error
	dur := func(name string, def time.Duration) time.Duration {
		v := getenv(name)
		if v == "" || err != nil {
			return def
		}
		d, e := time.ParseDuration(v)
		if e != nil || d <= 0 {
			err = fmt.Errorf("%s=%q: want a positive duration such as 24h", name, v)
		}
		return d
	}
	num := func(name string, def int) int {
		v := getenv(name)
		if v == "" || err != nil {
			return def
		}
		n, e := strconv.Atoi(v)
		if e != nil || n <= 0 {
			err = fmt.Errorf("%s=%q: want a positive integer", name, v)
		}
		return n
	}
	prob := func(name string) float64 {
		v := getenv(name)
		if v == "" || err != nil {
			return 0
		}
		p, e := strconv.ParseFloat(v, 64)
		if e != nil || p < 0 || p > 1 {
			err = fmt.Errorf("%s=%q: want a probability", name, v)
		}
		return p
	}
	c.CheckpointTTL = dur(EnvCheckpointTTL, 24*time.Hour)
	c.StatusTTL = dur(EnvStatusTTL, 7*24*time.Hour)
	c.InlineLimit = num(EnvInlineLimit, 256<<10)
	c.FanOutConcurrency = num(EnvFanOutConcurrency, 16)
	c.ChaosKill = prob(EnvChaosKill)
	c.ChaosNack = prob(EnvChaosNack)
	if v := getenv(EnvChaosSeed); v != "" && err == nil {
		c.ChaosSeed, err = strconv.ParseInt(v, 10, 64)
	}
	if err == nil && (c.ChaosKill > 0 || c.ChaosNack > 0) && c.ChaosState == "" {
		err = fmt.Errorf("%s must name a directory when faults are injected", EnvChaosState)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Topic is the Pub/Sub topic ID of the node with identifier ident.
func (c *Config) Topic(ident string) string { return c.TopicPrefix + ident }

// Env is the environment that FromEnv reads back as c, for deployments and
// test harnesses; the fault settings are included only when set.
func (c *Config) Env() []string {
	env := []string{
		EnvProject + "=" + c.Project,
		EnvDatabase + "=" + c.Database,
		EnvCollection + "=" + c.Collection,
		EnvTopicPrefix + "=" + c.TopicPrefix,
	}
	if c.CheckpointTTL > 0 {
		env = append(env, EnvCheckpointTTL+"="+c.CheckpointTTL.String())
	}
	if c.StatusTTL > 0 {
		env = append(env, EnvStatusTTL+"="+c.StatusTTL.String())
	}
	if c.InlineLimit > 0 {
		env = append(env, EnvInlineLimit+"="+strconv.Itoa(c.InlineLimit))
	}
	if c.FanOutConcurrency > 0 {
		env = append(env, EnvFanOutConcurrency+"="+strconv.Itoa(c.FanOutConcurrency))
	}
	if c.ChaosKill > 0 || c.ChaosNack > 0 {
		env = append(env,
			EnvChaosKill+"="+strconv.FormatFloat(c.ChaosKill, 'g', -1, 64),
			EnvChaosNack+"="+strconv.FormatFloat(c.ChaosNack, 'g', -1, 64),
			EnvChaosSeed+"="+strconv.FormatInt(c.ChaosSeed, 10),
			EnvChaosState+"="+c.ChaosState)
	}
	return env
}
