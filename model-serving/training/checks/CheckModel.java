// Single-file Java check of the exported tiny model against the PyTorch reference (no Maven needed):
//  1. tokenizer parity: DJL (HF tokenizers 0.21) ids == Python encoder ids on golden prompts + random targets;
//  2. ONNX Runtime: vision features, prefill logits (max relative error = max|a-b| / max|b|), greedy tokens
//     with the KV cache fed back, and a left-padded batch of two prompts against the single runs.
// Inputs come from `export_model.py --verify-out DIR`. See README.md for the java command line.
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.*;
import com.google.gson.*;
import java.nio.*;
import java.nio.file.*;
import java.util.*;

public class CheckModel {
    static OrtEnvironment env;

    static float[] readF(Path p) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[b.remaining() / 4];
        b.asFloatBuffer().get(f);
        return f;
    }

    static long[] readL(Path p) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        long[] f = new long[b.remaining() / 8];
        b.asLongBuffer().get(f);
        return f;
    }

    static long[] shape(JsonArray a) {
        long[] s = new long[a.size()];
        for (int i = 0; i < s.length; i++) s[i] = a.get(i).getAsLong();
        return s;
    }

    static double[] relErr(float[] a, float[] ref) {
        double md = 0, mr = 0;
        for (int i = 0; i < ref.length; i++) {
            md = Math.max(md, Math.abs(a[i] - ref[i]));
            mr = Math.max(mr, Math.abs(ref[i]));
        }
        return new double[] {md, md / mr};
    }

    static float[] floats(OnnxValue v) throws OrtException {
        FloatBuffer fb = ((OnnxTensor) v).getFloatBuffer();
        float[] f = new float[fb.remaining()];
        fb.get(f);
        return f;
    }

    static int argmaxRow(float[] logits, int row, int V) {
        int best = 0;
        for (int v = 1; v < V; v++) if (logits[row * V + v] > logits[row * V + best]) best = v;
        return best;
    }

    /** decoder run; past == null means past length 0. Returns [logits, present...] as float arrays + shapes. */
    static Object[] decode(OrtSession dec, int layers, int kvh, int hd, float[] emb, int B, int T, int D,
                           long[] mask, long[] pos, float[][] past, int sPast) throws OrtException {
        Map<String, OnnxTensor> in = new HashMap<>();
        in.put("inputs_embeds", OnnxTensor.createTensor(env, FloatBuffer.wrap(emb), new long[] {B, T, D}));
        in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {B, sPast + T}));
        in.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(pos), new long[] {B, T}));
        for (int i = 0; i < layers; i++)
            for (int k = 0; k < 2; k++) {
                float[] p = past == null ? new float[0] : past[2 * i + k];
                in.put("past_key_values." + i + (k == 0 ? ".key" : ".value"),
                        OnnxTensor.createTensor(env, FloatBuffer.wrap(p), new long[] {B, kvh, sPast, hd}));
            }
        try (OrtSession.Result r = dec.run(in)) {
            float[] logits = floats(r.get("logits").get());
            float[][] pres = new float[2 * layers][];
            for (int i = 0; i < layers; i++) {
                pres[2 * i] = floats(r.get("present." + i + ".key").get());
                pres[2 * i + 1] = floats(r.get("present." + i + ".value").get());
            }
            for (OnnxTensor t : in.values()) t.close();
            return new Object[] {logits, pres};
        }
    }

    public static void main(String[] args) throws Exception {
        Path modelDir = Paths.get(args[0]), vdir = Paths.get(args[1]);
        int failures = 0;
        // ---------------- tokenizer ----------------
        JsonArray tc = JsonParser.parseString(Files.readString(vdir.resolve("tokenizer_cases.json"))).getAsJsonArray();
        int tokBad = 0;
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(modelDir.resolve("tokenizer.json"),
                Map.of("addSpecialTokens", "false", "maxLength", "100000", "truncation", "false"))) {
            for (JsonElement e : tc) {
                String text = e.getAsJsonObject().get("text").getAsString();
                long[] want = shape(e.getAsJsonObject().getAsJsonArray("ids"));
                long[] got = tok.encode(text).getIds();
                if (!Arrays.equals(want, got)) {
                    if (tokBad < 5) System.out.println("TOKENIZER MISMATCH " + new Gson().toJson(text) + "\n  py  "
                            + Arrays.toString(want) + "\n  djl " + Arrays.toString(got));
                    tokBad++;
                }
            }
        }
        System.out.printf("tokenizer: %d texts, %d mismatches%n", tc.size(), tokBad);
        failures += tokBad;
        // ---------------- ONNX ----------------
        JsonObject mj = JsonParser.parseString(Files.readString(modelDir.resolve("model.json"))).getAsJsonObject();
        JsonObject llm = mj.getAsJsonObject("llm");
        int layers = llm.get("layers").getAsInt(), kvh = llm.get("kvHeads").getAsInt(), hd = llm.get("headDim").getAsInt();
        int D = llm.get("hidden").getAsInt(), V = llm.get("vocab").getAsInt();
        env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setIntraOpNumThreads(1);
        OrtSession vis = env.createSession(modelDir.resolve("vision.onnx").toString(), so);
        OrtSession emb = env.createSession(modelDir.resolve("embed.onnx").toString(), so);
        // the concat graph: this check binds past and present the concat way. When llm.decoders lists both graphs,
        // decoder.onnx is the GroupQueryAttention one, which the engine's ITCases check against the golden outputs
        JsonObject decoders = llm.has("decoders") ? llm.getAsJsonObject("decoders") : null;
        String decFile = decoders != null && decoders.has("concat") ? decoders.get("concat").getAsString() : "decoder.onnx";
        OrtSession dec = env.createSession(modelDir.resolve(decFile).toString(), so);
        JsonArray cases = JsonParser.parseString(Files.readString(vdir.resolve("verify.json"))).getAsJsonObject().getAsJsonArray("cases");
        double worstFeat = 0, worstLogit = 0;
        int greedyOk = 0;
        List<float[]> embeds = new ArrayList<>();
        List<float[]> prefill = new ArrayList<>();
        List<float[]> step2 = new ArrayList<>();      // logits of the first decode step (after outputIds[0])
        for (JsonElement ce : cases) {
            JsonObject c = ce.getAsJsonObject();
            String f = c.get("files").getAsString();
            float[] pv = readF(vdir.resolve(f + "_pixel_values.bin"));
            long[] pm = readL(vdir.resolve(f + "_patch_mask.bin"));
            JsonArray ts = c.getAsJsonArray("tgtSizes");
            long[] tgt = new long[ts.size() * 2];
            for (int i = 0; i < ts.size(); i++) {
                tgt[2 * i] = ts.get(i).getAsJsonArray().get(0).getAsLong();
                tgt[2 * i + 1] = ts.get(i).getAsJsonArray().get(1).getAsLong();
            }
            float[] feats;
            try (OnnxTensor a = OnnxTensor.createTensor(env, FloatBuffer.wrap(pv), shape(c.getAsJsonArray("pixelShape")));
                 OnnxTensor b = OnnxTensor.createTensor(env, LongBuffer.wrap(pm), shape(c.getAsJsonArray("maskShape")));
                 OnnxTensor t = OnnxTensor.createTensor(env, LongBuffer.wrap(tgt), new long[] {ts.size(), 2});
                 OrtSession.Result r = vis.run(Map.of("pixel_values", a, "patch_attention_mask", b, "tgt_sizes", t))) {
                feats = floats(r.get("image_features").get());
            }
            double[] fe = relErr(feats, readF(vdir.resolve(f + "_features.bin")));
            worstFeat = Math.max(worstFeat, fe[1]);
            long[] ids = shape(c.getAsJsonArray("promptIds"));
            int T = ids.length;
            float[] e;
            try (OnnxTensor a = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {1, T});
                 OrtSession.Result r = emb.run(Map.of("input_ids", a))) {
                e = floats(r.get("inputs_embeds").get());
            }
            int row = 0;
            for (int t = 0; t < T; t++)
                if (ids[t] == 0) { // <unk>
                    System.arraycopy(feats, row * D, e, t * D, D);
                    row++;
                }
            if (row * D != feats.length) throw new IllegalStateException("unk count != feature rows");
            embeds.add(e);
            long[] mask = new long[T];
            Arrays.fill(mask, 1);
            long[] pos = new long[T];
            for (int t = 0; t < T; t++) pos[t] = t;
            Object[] out = decode(dec, layers, kvh, hd, e, 1, T, D, mask, pos, null, 0);
            float[] logits = (float[]) out[0];
            prefill.add(Arrays.copyOfRange(logits, (T - 1) * V, T * V));
            double[] le = relErr(logits, readF(vdir.resolve(f + "_prefill_logits.bin")));
            worstLogit = Math.max(worstLogit, le[1]);
            // greedy with the KV cache
            long[] want = shape(c.getAsJsonArray("outputIds"));
            List<Long> got = new ArrayList<>();
            float[][] past = (float[][]) out[1];
            int next = argmaxRow(logits, T - 1, V);
            int S = T;
            while (true) {
                got.add((long) next);
                if (got.size() >= want.length) break;
                float[] te;
                try (OnnxTensor a = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {next}), new long[] {1, 1});
                     OrtSession.Result r = emb.run(Map.of("input_ids", a))) {
                    te = floats(r.get("inputs_embeds").get());
                }
                long[] m2 = new long[S + 1];
                Arrays.fill(m2, 1);
                Object[] o2 = decode(dec, layers, kvh, hd, te, 1, 1, D, m2, new long[] {S}, past, S);
                past = (float[][]) o2[1];
                if (got.size() == 1) step2.add((float[]) o2[0]);
                next = argmaxRow((float[]) o2[0], 0, V);
                S++;
            }
            if (got.size() == 1) step2.add(null);
            boolean ok = Arrays.equals(want, got.stream().mapToLong(Long::longValue).toArray());
            if (ok) greedyOk++;
            else failures++;
            System.out.printf("%-36s features maxAbs %.2e rel %.2e | prefill logits maxAbs %.2e rel %.2e | greedy %s (%d tokens)%n",
                    c.get("name").getAsString(), fe[0], fe[1], le[0], le[1], ok ? "EQUAL" : "DIFFERENT " + got, want.length);
        }
        // left-padded batch of the two longest different-length cases vs single runs
        int a0 = 0, a1 = cases.size() - 1;
        for (int k = 1, best = -1; k < cases.size(); k++)     // longest other prompt that decodes >= 2 tokens
            if (step2.get(k) != null && embeds.get(k).length > best) { best = embeds.get(k).length; a1 = k; }
        int T0 = embeds.get(a0).length / D, T1 = embeds.get(a1).length / D, Tm = Math.max(T0, T1);
        float[] be = new float[2 * Tm * D];
        long[] bm = new long[2 * Tm], bp = new long[2 * Tm];
        int[] lens = {T0, T1};
        int[] src = {a0, a1};
        for (int b = 0; b < 2; b++) {
            int pad = Tm - lens[b];
            System.arraycopy(embeds.get(src[b]), 0, be, (b * Tm + pad) * D, lens[b] * D);
            for (int t = 0; t < Tm; t++) {
                bm[b * Tm + t] = t >= pad ? 1 : 0;
                bp[b * Tm + t] = Math.max(0, t - pad);
            }
        }
        Object[] bo = decode(dec, layers, kvh, hd, be, 2, Tm, D, bm, bp, null, 0);
        float[] bl = (float[]) bo[0];
        double worstBatch = 0;
        for (int b = 0; b < 2; b++) {
            float[] last = Arrays.copyOfRange(bl, (b * Tm + Tm - 1) * V, (b * Tm + Tm) * V);
            worstBatch = Math.max(worstBatch, relErr(last, prefill.get(src[b]))[1]);
        }
        // one batched decode step with the left-padded past (feeding each row's first greedy token)
        float[][] bpast = (float[][]) bo[1];
        long[] firstTok = new long[2];
        for (int b = 0; b < 2; b++) firstTok[b] = argmaxRow(prefill.get(src[b]), 0, V);
        float[] te2;
        try (OnnxTensor a = OnnxTensor.createTensor(env, LongBuffer.wrap(firstTok), new long[] {2, 1});
             OrtSession.Result r = emb.run(Map.of("input_ids", a))) {
            te2 = floats(r.get("inputs_embeds").get());
        }
        long[] bm2 = new long[2 * (Tm + 1)];
        long[] bp2 = new long[2];
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < Tm; t++) bm2[b * (Tm + 1) + t] = bm[b * Tm + t];
            bm2[b * (Tm + 1) + Tm] = 1;
            bp2[b] = lens[b];
        }
        float[] bl2 = (float[]) decode(dec, layers, kvh, hd, te2, 2, 1, D, bm2, bp2, bpast, Tm)[0];
        for (int b = 0; b < 2; b++)
            if (step2.get(src[b]) != null)
                worstBatch = Math.max(worstBatch, relErr(Arrays.copyOfRange(bl2, b * V, (b + 1) * V), step2.get(src[b]))[1]);
        System.out.printf("left-padded batch of 2 (T=%d,%d): prefill last-position + first decode step logits, rel err vs single runs %.2e%n", T0, T1, worstBatch);
        System.out.printf("SUMMARY vision rel %.2e, prefill logits rel %.2e, batch rel %.2e, greedy equal %d/%d, tokenizer mismatches %d%n",
                worstFeat, worstLogit, worstBatch, greedyOk, cases.size(), tokBad);
        if (worstFeat > 1e-4 || worstLogit > 1e-4 || worstBatch > 1e-4) failures++;
        System.out.println(failures == 0 ? "CHECK PASSED" : "CHECK FAILED");
        System.exit(failures == 0 ? 0 : 1);
    }
}
