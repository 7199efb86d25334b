// Runs SPARQL queries on Apache Jena ARQ over N-Quads files, all in one JVM (used by lutonkg.query.jena).
//
//     java -cp CLASSES:JENA_JARS JenaQueries REPEATS DATA.nq OUT_DIR COUNT QUERY_1.rq ... QUERY_COUNT.rq [DATA ...]
//
// After REPEATS come one or more groups: an N-Quads file, a folder for the answers, and the query files to run on it.
// The named graphs are loaded as they are, and the default graph is a de-duplicated copy of their union, as in the
// project's pyoxigraph store (lutonkg.rdf.oxstore), so a query without GRAPH sees every fact once. Each query runs
// REPEATS times; the i-th query's answer (from 0) is written to OUT_DIR/i.json (SPARQL 1.1 JSON results), the time of
// each run in milliseconds to OUT_DIR/i.ms (one per line), or the error to OUT_DIR/i.error; the load time goes to
// OUT_DIR/load.ms. A query that fails does not stop the others.

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.jena.graph.Graph;
import org.apache.jena.query.Dataset;
import org.apache.jena.query.DatasetFactory;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryExecutionFactory;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.ResultSetFactory;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.query.ResultSetRewindable;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.sparql.core.DatasetGraph;
import org.apache.jena.sparql.graph.GraphFactory;

public class JenaQueries {
    public static void main(String[] args) throws Exception {
        int repeats = Integer.parseInt(args[0]);
        int at = 1;
        while (at < args.length) {
            Path out = Path.of(args[at + 1]);
            int count = Integer.parseInt(args[at + 2]);
            long started = System.nanoTime();
            Dataset data = load(args[at]);
            write(out.resolve("load.ms"), String.format("%.3f%n", (System.nanoTime() - started) / 1e6));
            for (int i = 0; i < count; i++) {
                String name = Integer.toString(i);
                try {
                    String text = Files.readString(Path.of(args[at + 3 + i]), StandardCharsets.UTF_8);
                    run(data, text, repeats, out, name);
                } catch (Exception | StackOverflowError error) {
                    write(out.resolve(name + ".error"), error.getClass().getSimpleName() + ": " + error.getMessage());
                }
            }
            at += 3 + count;
        }
    }

    /** The N-Quads as a dataset whose default graph holds the union of its named graphs, each triple once. */
    static Dataset load(String path) {
        Dataset loaded = DatasetFactory.create();
        RDFDataMgr.read(loaded, path);
        DatasetGraph graphs = loaded.asDatasetGraph();
        Graph union = GraphFactory.createDefaultGraph();
        graphs.find().forEachRemaining(quad -> union.add(quad.asTriple()));
        graphs.setDefaultGraph(union);
        return loaded;
    }

    /** Run one SELECT query `repeats` times; write its last answer as JSON and the time of each run. */
    static void run(Dataset data, String text, int repeats, Path out, String name) throws Exception {
        Query query = QueryFactory.create(text);
        List<String> times = new ArrayList<>();
        ResultSetRewindable answer = null;
        for (int r = 0; r < repeats; r++) {
            long started = System.nanoTime();
            try (QueryExecution exec = QueryExecutionFactory.create(query, data)) {
                answer = ResultSetFactory.copyResults(exec.execSelect());
            }
            times.add(String.format("%.3f", (System.nanoTime() - started) / 1e6));
        }
        try (OutputStream json = Files.newOutputStream(out.resolve(name + ".json"))) {
            ResultSetFormatter.outputAsJSON(json, answer);
        }
        write(out.resolve(name + ".ms"), String.join("\n", times) + "\n");
    }

    static void write(Path path, String text) throws Exception {
        Files.writeString(path, text, StandardCharsets.UTF_8);
    }
}
