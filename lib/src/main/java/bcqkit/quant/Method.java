package bcqkit.quant;

/** The quantization algorithms the kit offers; {@link #UNIFORM} is BCQ with an offset, as a baseline. */
public enum Method {
    GREEDY, REFINED, ALTERNATING, UNIFORM;

    public String id() { return name().toLowerCase(java.util.Locale.ROOT); }

    public static Method parse(String s) {
        for (Method m : values()) if (m.id().equalsIgnoreCase(s)) return m;
        throw new IllegalArgumentException("unknown method '" + s + "'; expected one of greedy, refined, alternating, uniform");
    }
}
