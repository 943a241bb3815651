package streamsql.peer;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The Kafka Streams peer of streamsql's benchmarks: the queries streamsql runs, written in the
 * DSL the way ksqlDB would compile them. Input JSON is read into typed records (Jackson), output
 * JSON has ksqlDB's upper-case column names so that the harness can compare both systems'
 * outputs record for record.
 *
 * <p>Usage: Peer --query q0|q2|q5a|q17|alert|avg5m --bootstrap host:port --app-id ID --out TOPIC
 * --state-dir DIR [--in TOPIC] [--commit-ms 100]. It prints READY once the instance is RUNNING,
 * and runs until killed (the harness stops it with SIGTERM).
 */
public final class Peer {
  static final ObjectMapper JSON = new ObjectMapper();

  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Bid {
    public long auction;
    public long bidder;
    public long price;
    public String channel;
    public String url;
    public long date_time;
    public String extra;
    public long ingest_ns;
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Reading {
    public String device_id;
    public String site;
    public long ts;
    public double temperature;
    public double humidity;
    public double battery;
    public long ingest_ns;
  }

  @JsonPropertyOrder({"AUCTION", "BIDDER", "PRICE", "DATE_TIME", "EXTRA", "INGEST_NS"})
  public static final class Q0 {
    @JsonProperty("AUCTION") public long auction;
    @JsonProperty("BIDDER") public long bidder;
    @JsonProperty("PRICE") public long price;
    @JsonProperty("DATE_TIME") public long dateTime;
    @JsonProperty("EXTRA") public String extra;
    @JsonProperty("INGEST_NS") public long ingestNs;

    Q0(Bid b) {
      auction = b.auction;
      bidder = b.bidder;
      price = b.price;
      dateTime = b.date_time;
      extra = b.extra;
      ingestNs = b.ingest_ns;
    }
  }

  @JsonPropertyOrder({"AUCTION", "PRICE", "INGEST_NS"})
  public static final class Q2 {
    @JsonProperty("AUCTION") public long auction;
    @JsonProperty("PRICE") public long price;
    @JsonProperty("INGEST_NS") public long ingestNs;

    Q2(Bid b) {
      auction = b.auction;
      price = b.price;
      ingestNs = b.ingest_ns;
    }
  }

  @JsonPropertyOrder({"A", "WS", "NUM"})
  public static final class Q5a {
    @JsonProperty("A") public long a;
    @JsonProperty("WS") public long ws;
    @JsonProperty("NUM") public long num;

    Q5a(long a, long ws, long num) {
      this.a = a;
      this.ws = ws;
      this.num = num;
    }
  }

  @JsonPropertyOrder({"TS", "HUMIDITY", "INGEST_NS"})
  public static final class Alert {
    @JsonProperty("TS") public long ts;
    @JsonProperty("HUMIDITY") public double humidity;
    @JsonProperty("INGEST_NS") public long ingestNs;

    Alert(Reading r) {
      ts = r.ts;
      humidity = r.humidity;
      ingestNs = r.ingest_ns;
    }
  }

  @JsonPropertyOrder({"DEV", "WS", "AVG_TEMP", "N"})
  public static final class Avg5m {
    @JsonProperty("DEV") public String dev;
    @JsonProperty("WS") public long ws;
    @JsonProperty("AVG_TEMP") public double avgTemp;
    @JsonProperty("N") public long n;

    Avg5m(String dev, long ws, Acc a) {
      this.dev = dev;
      this.ws = ws;
      this.avgTemp = a.sum / a.count;
      this.n = a.count;
    }
  }

  /** q17's accumulator: count, the three price ranks, min, max and sum (56 bytes). */
  static final class Acc17 {
    long n, r1, r2, r3, min = Long.MAX_VALUE, max = Long.MIN_VALUE, sum;

    Acc17 add(long price) {
      n++;
      sum += price;
      min = Math.min(min, price);
      max = Math.max(max, price);
      if (price < 10000) r1++;
      else if (price < 1000000) r2++;
      else r3++;
      return this;
    }
  }

  static final Serde<Acc17> ACC17_SERDE =
      Serdes.serdeFrom(
          (Serializer<Acc17>)
              (topic, a) ->
                  ByteBuffer.allocate(56)
                      .putLong(a.n).putLong(a.r1).putLong(a.r2).putLong(a.r3)
                      .putLong(a.min).putLong(a.max).putLong(a.sum)
                      .array(),
          (Deserializer<Acc17>)
              (topic, b) -> {
                if (b == null) return null;
                ByteBuffer bb = ByteBuffer.wrap(b);
                Acc17 a = new Acc17();
                a.n = bb.getLong();
                a.r1 = bb.getLong();
                a.r2 = bb.getLong();
                a.r3 = bb.getLong();
                a.min = bb.getLong();
                a.max = bb.getLong();
                a.sum = bb.getLong();
                return a;
              });

  @JsonPropertyOrder({"A", "WS", "TOTAL_BIDS", "RANK1_BIDS", "RANK2_BIDS", "RANK3_BIDS", "MIN_PRICE", "MAX_PRICE", "AVG_PRICE", "SUM_PRICE"})
  public static final class Q17 {
    @JsonProperty("A") public long a;
    @JsonProperty("WS") public long ws;
    @JsonProperty("TOTAL_BIDS") public long total;
    @JsonProperty("RANK1_BIDS") public long r1;
    @JsonProperty("RANK2_BIDS") public long r2;
    @JsonProperty("RANK3_BIDS") public long r3;
    @JsonProperty("MIN_PRICE") public long min;
    @JsonProperty("MAX_PRICE") public long max;
    @JsonProperty("AVG_PRICE") public double avg;
    @JsonProperty("SUM_PRICE") public long sum;

    Q17(long a, long ws, Acc17 x) {
      this.a = a;
      this.ws = ws;
      total = x.n;
      r1 = x.r1;
      r2 = x.r2;
      r3 = x.r3;
      min = x.min;
      max = x.max;
      avg = (double) x.sum / x.n;
      sum = x.sum;
    }
  }

  /** AVG's accumulator: sum and count, stored as 16 bytes. */
  static final class Acc {
    double sum;
    long count;
  }

  static final Serde<Acc> ACC_SERDE =
      Serdes.serdeFrom(
          (Serializer<Acc>)
              (topic, a) -> ByteBuffer.allocate(16).putDouble(a.sum).putLong(a.count).array(),
          (Deserializer<Acc>)
              (topic, b) -> {
                if (b == null) return null;
                ByteBuffer bb = ByteBuffer.wrap(b);
                Acc a = new Acc();
                a.sum = bb.getDouble();
                a.count = bb.getLong();
                return a;
              });

  static <T> Serde<T> jsonSerde(Class<T> cls) {
    Serializer<T> ser =
        (topic, v) -> {
          try {
            return v == null ? null : JSON.writeValueAsBytes(v);
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        };
    Deserializer<T> de =
        (topic, b) -> {
          try {
            return b == null ? null : JSON.readValue(b, cls);
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        };
    return Serdes.serdeFrom(ser, de);
  }

  static <T> Serializer<T> jsonOut() {
    return (topic, v) -> {
      try {
        return v == null ? null : JSON.writeValueAsBytes(v);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    };
  }

  /** Output values are only written, never read back by the topology. */
  static <T> Serde<T> outSerde() {
    return Serdes.serdeFrom(jsonOut(), (topic, b) -> null);
  }

  static Topology topology(String query, String in, String out) {
    StreamsBuilder sb = new StreamsBuilder();
    Serde<byte[]> raw = Serdes.ByteArray();
    switch (query) {
      case "q0" -> {
        KStream<byte[], Bid> bids = sb.stream(in, Consumed.with(raw, jsonSerde(Bid.class)));
        bids.mapValues(Q0::new).to(out, Produced.with(raw, outSerde()));
      }
      case "q2" -> {
        KStream<byte[], Bid> bids = sb.stream(in, Consumed.with(raw, jsonSerde(Bid.class)));
        bids.filter((k, b) -> b != null && b.auction % 123 == 0)
            .mapValues(Q2::new)
            .to(out, Produced.with(raw, outSerde()));
      }
      case "q5a" -> {
        // The bids are keyed by auction (LongSerializer): GROUP BY the key, no repartition.
        KStream<Long, Bid> bids = sb.stream(in, Consumed.with(Serdes.Long(), jsonSerde(Bid.class)));
        bids.groupByKey(Grouped.with(Serdes.Long(), jsonSerde(Bid.class)))
            .windowedBy(
                TimeWindows.ofSizeAndGrace(Duration.ofSeconds(10), Duration.ofSeconds(5))
                    .advanceBy(Duration.ofSeconds(2)))
            .count(Materialized.<Long, Long, WindowStore<Bytes, byte[]>>with(Serdes.Long(), Serdes.Long()))
            .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
            .toStream()
            .map(
                (Windowed<Long> wk, Long n) ->
                    KeyValue.pair(
                        windowedKey(ByteBuffer.allocate(8).putLong(wk.key()).array(), wk.window().start()),
                        new Q5a(wk.key(), wk.window().start(), n)))
            .to(out, Produced.with(raw, outSerde()));
      }
      case "q17" -> {
        // Per auction (the key) and UTC day: an update stream (EMIT CHANGES), no suppress.
        KStream<Long, Bid> bids = sb.stream(in, Consumed.with(Serdes.Long(), jsonSerde(Bid.class)));
        bids.groupByKey(Grouped.with(Serdes.Long(), jsonSerde(Bid.class)))
            .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofDays(1), Duration.ofDays(1)))
            .aggregate(
                Acc17::new,
                (k, b, a) -> a.add(b.price),
                Materialized.<Long, Acc17, WindowStore<Bytes, byte[]>>with(Serdes.Long(), ACC17_SERDE))
            .toStream()
            .map(
                (Windowed<Long> wk, Acc17 a) ->
                    KeyValue.pair(
                        windowedKey(ByteBuffer.allocate(8).putLong(wk.key()).array(), wk.window().start()),
                        new Q17(wk.key(), wk.window().start(), a)))
            .to(out, Produced.with(raw, outSerde()));
      }
      case "alert" -> {
        KStream<byte[], Reading> rs = sb.stream(in, Consumed.with(raw, jsonSerde(Reading.class)));
        rs.filter((k, r) -> r != null && r.humidity > 85)
            .mapValues(Alert::new)
            .to(out, Produced.with(raw, outSerde()));
      }
      case "avg5m" -> {
        // GROUP BY the key: no repartition.
        KStream<String, Reading> rs = sb.stream(in, Consumed.with(Serdes.String(), jsonSerde(Reading.class)));
        rs.groupByKey(Grouped.with(Serdes.String(), jsonSerde(Reading.class)))
            .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(5), Duration.ofSeconds(10)))
            .aggregate(
                Acc::new,
                (k, r, a) -> {
                  a.sum += r.temperature;
                  a.count++;
                  return a;
                },
                Materialized.<String, Acc, WindowStore<Bytes, byte[]>>with(Serdes.String(), ACC_SERDE))
            .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
            .toStream()
            .map(
                (Windowed<String> wk, Acc a) ->
                    KeyValue.pair(
                        windowedKey(wk.key().getBytes(StandardCharsets.UTF_8), wk.window().start()),
                        new Avg5m(wk.key(), wk.window().start(), a)))
            .to(out, Produced.with(raw, outSerde()));
      }
      default -> throw new IllegalArgumentException("unknown query " + query);
    }
    return sb.build();
  }

  /** ksqlDB's time-windowed KAFKA key: the key's bytes, then the window start (8 bytes). */
  static byte[] windowedKey(byte[] key, long start) {
    return ByteBuffer.allocate(key.length + 8).put(key).putLong(start).array();
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    String query = req(a, "query");
    String in = a.getOrDefault("in", query.startsWith("q") ? "nexmark-bid" : "iot-readings");

    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, req(a, "app-id"));
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, req(a, "bootstrap"));
    p.put(StreamsConfig.STATE_DIR_CONFIG, req(a, "state-dir"));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Integer.parseInt(a.getOrDefault("commit-ms", "100")));
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // Streams defaults linger.ms to 100; streamsql produces each batch at once, so give the
    // peer a short linger too (latency runs would otherwise measure the linger).
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), Integer.parseInt(a.getOrDefault("linger-ms", "5")));
    p.put(StreamsConfig.producerPrefix(ProducerConfig.ACKS_CONFIG), "all");

    KafkaStreams ks = new KafkaStreams(topology(query, in, req(a, "out")), p);
    CountDownLatch done = new CountDownLatch(1);
    ks.setStateListener(
        (now, old) -> {
          if (now == KafkaStreams.State.RUNNING) {
            System.out.println("READY");
            System.out.flush();
          }
          if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) done.countDown();
        });
    ks.setUncaughtExceptionHandler(
        e -> {
          e.printStackTrace();
          return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> ks.close(Duration.ofSeconds(10))));
    ks.start();
    done.await();
    System.exit(ks.state() == KafkaStreams.State.ERROR ? 1 : 0);
  }

  static String req(Map<String, String> a, String k) {
    String v = a.get(k);
    if (v == null) throw new IllegalArgumentException("--" + k + " is required");
    return v;
  }
}
