package nexmark

import (
	"math"
	"math/rand/v2"
	"strconv"
)

// Topic names (RisingWave / timeplus layout).
const (
	PersonTopic  = "nexmark-person"
	AuctionTopic = "nexmark-auction"
	BidTopic     = "nexmark-bid"
)

// Constants of the nexmark/nexmark generator.
const (
	personProportion  = 1
	auctionProportion = 3
	bidProportion     = 46
	totalProportion   = personProportion + auctionProportion + bidProportion

	firstPersonID   = 1000
	firstAuctionID  = 1000
	firstCategoryID = 10
	numCategories   = 5

	numActivePeople    = 1000
	numInFlightAuction = 100
	personIDLead       = 10
	auctionIDLead      = 10

	hotAuctionRatio = 2
	hotSellersRatio = 4
	hotBiddersRatio = 4
	hotChannelRatio = 2
	hotGranularity  = 100 // HOT_AUCTION_RATIO etc.: a hot id is the first of each 100

	channelsNumber = 10_000
)

// Kind of an event.
type Kind uint8

const (
	Person Kind = iota
	Auction
	Bid
)

// Topic is where events of this kind go.
func (k Kind) Topic() string {
	switch k {
	case Person:
		return PersonTopic
	case Auction:
		return AuctionTopic
	default:
		return BidTopic
	}
}

// Config shapes the stream.
type Config struct {
	Seed int64
	// BaseTimeMs is the event time of event 0 (epoch ms). Zero means 2024-01-01T00:00:00Z.
	BaseTimeMs int64
	// EventTimeRate is how many events share one second of event time (NX firstEventRate);
	// zero means 10,000/s.
	EventTimeRate int
	// DelayedProb is the probability that an event's time is pushed back by up to
	// MaxDelayMs (NX probDelayedEvent / occasionalDelaySec), giving out-of-order input.
	DelayedProb float64
	MaxDelayMs  int64
}

// Default is the generator the benchmarks use: NX defaults, 10 % of events up to 3 s late.
func Default(seed int64) Config {
	return Config{Seed: seed, DelayedProb: 0.1, MaxDelayMs: 3000}
}

// Event is one generated event, already JSON-encoded.
type Event struct {
	Kind  Kind
	Key   []byte // decimal id for person and auction; nil for bids
	Value []byte
	// TimeMs is the event's date_time, also its record timestamp.
	TimeMs int64
	// Auction, Bidder and Price are set for bids (the reference models read them without
	// parsing the JSON back).
	Auction, Bidder, Price int64
}

// Generator produces events in order. It is not safe for concurrent use.
type Generator struct {
	cfg Config
	rnd *rand.Rand
	n   int64 // next event number
	buf []byte
}

// New returns a generator at event 0.
func New(cfg Config) *Generator {
	if cfg.BaseTimeMs == 0 {
		cfg.BaseTimeMs = 1704067200000
	}
	if cfg.EventTimeRate <= 0 {
		cfg.EventTimeRate = 10_000
	}
	return &Generator{cfg: cfg, rnd: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6e65786d61726b))}
}

// Next returns the next event with event time from the configured rate.
func (g *Generator) Next() Event {
	t := g.cfg.BaseTimeMs + g.n*1000/int64(g.cfg.EventTimeRate)
	if g.cfg.DelayedProb > 0 && g.rnd.Float64() < g.cfg.DelayedProb {
		t -= g.rnd.Int64N(g.cfg.MaxDelayMs + 1)
	}
	return g.NextAt(t, 0)
}

// NextAt returns the next event stamped with event time timeMs and, when ingestNs is not zero,
// its production wall clock (paced mode: latency = output wall clock − ingest_ns).
func (g *Generator) NextAt(timeMs, ingestNs int64) Event {
	id := g.n
	g.n++
	rem := id % totalProportion
	switch {
	case rem < personProportion:
		return g.person(id, timeMs, ingestNs)
	case rem < personProportion+auctionProportion:
		return g.auction(id, timeMs, ingestNs)
	default:
		return g.bid(id, timeMs, ingestNs)
	}
}

// lastBase0PersonID is the newest person id (0-based) as of event id.
func lastBase0PersonID(id int64) int64 {
	epoch := id / totalProportion
	off := id % totalProportion
	if off >= personProportion {
		off = personProportion - 1
	}
	return epoch*personProportion + off
}

// lastBase0AuctionID is the newest auction id (0-based) as of event id.
func lastBase0AuctionID(id int64) int64 {
	epoch := id / totalProportion
	off := id % totalProportion
	switch {
	case off < personProportion:
		epoch--
		off = auctionProportion - 1
	case off >= personProportion+auctionProportion:
		off = auctionProportion - 1
	default:
		off -= personProportion
	}
	return epoch*auctionProportion + off
}

func (g *Generator) nextBase0PersonID(id int64) int64 {
	num := lastBase0PersonID(id) + 1
	active := min(num, numActivePeople)
	return num - active + g.rnd.Int64N(active+personIDLead)
}

func (g *Generator) nextBase0AuctionID(id int64) int64 {
	maxA := lastBase0AuctionID(id)
	minA := max(maxA-numInFlightAuction, 0)
	return minA + g.rnd.Int64N(maxA-minA+1+auctionIDLead)
}

// price is log-uniform in 100 .. 100,000,000 (cents), as NX's nextPrice.
func (g *Generator) price() int64 {
	return int64(math.Round(math.Pow(10, g.rnd.Float64()*6) * 100))
}

// extra appends padding of n ± n/5 characters.
func (g *Generator) extra(b []byte, n int) []byte {
	l := n - n/5 + g.rnd.IntN(2*(n/5)+1)
	for i := 0; i < l; i++ {
		b = append(b, byte('a'+g.rnd.IntN(26)))
	}
	return b
}

var (
	firstNames = []string{"Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"}
	lastNames  = []string{"Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"}
	states     = []string{"AZ", "CA", "ID", "OR", "WA", "WY"}
	cities     = []string{"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent", "Cheyenne"}
	hotChans   = []string{"Google", "Facebook", "Baidu", "Apple"}
	hotURLs    = []string{"https://www.nexmark.com/googl/item.htm?query=1", "https://www.nexmark.com/faceb/item.htm?query=1", "https://www.nexmark.com/baidu/item.htm?query=1", "https://www.nexmark.com/apple/item.htm?query=1"}
)

func (g *Generator) person(id, t, ingest int64) Event {
	pid := lastBase0PersonID(id) + firstPersonID
	b := g.buf[:0]
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, pid, 10)
	b = append(b, `,"name":"`...)
	b = append(b, firstNames[g.rnd.IntN(len(firstNames))]...)
	b = append(b, ' ')
	b = append(b, lastNames[g.rnd.IntN(len(lastNames))]...)
	b = append(b, `","email_address":"`...)
	b = g.extra(b, 7)
	b = append(b, '@')
	b = g.extra(b, 5)
	b = append(b, `.com","credit_card":"`...)
	for i := 0; i < 4; i++ {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, 1000+g.rnd.Int64N(9000), 10)
	}
	b = append(b, `","city":"`...)
	b = append(b, cities[g.rnd.IntN(len(cities))]...)
	b = append(b, `","state":"`...)
	b = append(b, states[g.rnd.IntN(len(states))]...)
	b = append(b, `","date_time":`...)
	b = strconv.AppendInt(b, t, 10)
	b = g.tail(b, 60, ingest)
	g.buf = b
	return Event{Kind: Person, Key: strconv.AppendInt(nil, pid, 10), Value: clone(b), TimeMs: t}
}

func (g *Generator) auction(id, t, ingest int64) Event {
	aid := lastBase0AuctionID(id) + firstAuctionID
	var seller int64
	if g.rnd.IntN(hotSellersRatio) > 0 {
		seller = (lastBase0PersonID(id) / hotGranularity) * hotGranularity
	} else {
		seller = g.nextBase0PersonID(id)
	}
	seller += firstPersonID
	initial := g.price()
	b := g.buf[:0]
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, aid, 10)
	b = append(b, `,"item_name":"`...)
	b = g.extra(b, 20)
	b = append(b, `","description":"`...)
	b = g.extra(b, 100)
	b = append(b, `","initial_bid":`...)
	b = strconv.AppendInt(b, initial, 10)
	b = append(b, `,"reserve":`...)
	b = strconv.AppendInt(b, initial+g.price(), 10)
	b = append(b, `,"date_time":`...)
	b = strconv.AppendInt(b, t, 10)
	b = append(b, `,"expires":`...)
	b = strconv.AppendInt(b, t+10_000+g.rnd.Int64N(90_000), 10)
	b = append(b, `,"seller":`...)
	b = strconv.AppendInt(b, seller, 10)
	b = append(b, `,"category":`...)
	b = strconv.AppendInt(b, firstCategoryID+g.rnd.Int64N(numCategories), 10)
	b = g.tail(b, 250, ingest)
	g.buf = b
	return Event{Kind: Auction, Key: strconv.AppendInt(nil, aid, 10), Value: clone(b), TimeMs: t}
}

func (g *Generator) bid(id, t, ingest int64) Event {
	var auction, bidder int64
	if g.rnd.IntN(hotAuctionRatio) > 0 {
		auction = (lastBase0AuctionID(id) / hotGranularity) * hotGranularity
	} else {
		auction = g.nextBase0AuctionID(id)
	}
	auction += firstAuctionID
	if g.rnd.IntN(hotBiddersRatio) > 0 {
		bidder = (lastBase0PersonID(id)/hotGranularity)*hotGranularity + 1
	} else {
		bidder = g.nextBase0PersonID(id)
	}
	bidder += firstPersonID
	price := g.price()
	b := g.buf[:0]
	b = append(b, `{"auction":`...)
	b = strconv.AppendInt(b, auction, 10)
	b = append(b, `,"bidder":`...)
	b = strconv.AppendInt(b, bidder, 10)
	b = append(b, `,"price":`...)
	b = strconv.AppendInt(b, price, 10)
	b = append(b, `,"channel":"`...)
	if g.rnd.IntN(hotChannelRatio) > 0 {
		i := g.rnd.IntN(len(hotChans))
		b = append(b, hotChans[i]...)
		b = append(b, `","url":"`...)
		b = append(b, hotURLs[i]...)
	} else {
		ch := g.rnd.IntN(channelsNumber)
		b = append(b, "channel-"...)
		b = strconv.AppendInt(b, int64(ch), 10)
		b = append(b, `","url":"https://www.nexmark.com/`...)
		b = g.extra(b, 5)
		b = append(b, '/')
		b = g.extra(b, 5)
		b = append(b, "/item.htm?query=1"...)
		if g.rnd.IntN(10) > 0 {
			b = append(b, "&channel_id="...)
			b = strconv.AppendInt(b, int64(ch), 10)
		}
	}
	b = append(b, `","date_time":`...)
	b = strconv.AppendInt(b, t, 10)
	b = g.tail(b, 68, ingest)
	g.buf = b
	return Event{Kind: Bid, Value: clone(b), TimeMs: t, Auction: auction, Bidder: bidder, Price: price}
}

// tail appends extra, ingest_ns and the closing brace.
func (g *Generator) tail(b []byte, extra int, ingest int64) []byte {
	b = append(b, `,"extra":"`...)
	b = g.extra(b, extra)
	b = append(b, `","ingest_ns":`...)
	b = strconv.AppendInt(b, ingest, 10)
	return append(b, '}')
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }
