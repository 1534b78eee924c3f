import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.SingleValidationMessage;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;

/**
 * Validates every *.json file of one directory against the FHIR R4 core definitions, in one JVM (its start, loading
 * the definitions, is most of the time), and prints one JSON document on stdout:
 * [{file, resourceType, messages: [{severity, location, message}]}], severity as HAPI gives it (information,
 * warning, error, fatal). The caller decides what fails; this exits non-zero only when it cannot validate at all.
 *
 * Offline by construction: every support in the chain answers from the jars (no remote terminology server, no
 * resource fetcher), so a code the in-memory terminology cannot judge gives a warning rather than a network call.
 */
public final class ValidateFhirResources {
  /**
   * Extensions under our own domain (e.g. .../StructureDefinition/registered-date) are accepted without a
   * definition; an unknown extension of any other domain, HL7's included, stays an error.
   */
  static final String OUR_EXTENSION_DOMAIN = "https://patient-management.dev/";

  public static void main(String[] args) throws Exception {
    if (args.length != 1 || !Files.isDirectory(Path.of(args[0]))) {
      System.err.println("usage: ValidateFhirResources <directory of *.json FHIR R4 resources>");
      System.exit(2);
    }
    FhirValidator validator = r4CoreValidator();
    List<Map<String, Object>> results = new ArrayList<>();
    for (Path file : jsonFilesIn(Path.of(args[0]))) {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      List<Map<String, String>> messages = new ArrayList<>();
      try {
        for (SingleValidationMessage found : validator.validateWithResult(text).getMessages()) {
          messages.add(message(found.getSeverity().getCode(), found.getLocationString(), found.getMessage()));
        }
      } catch (RuntimeException notFhir) {
        // HAPI throws on input it cannot read as a resource at all (not JSON): a verdict on that file, not a crash.
        messages.add(message("fatal", "", notFhir.getMessage()));
      }
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("file", file.getFileName().toString());
      result.put("resourceType", resourceTypeOf(text));
      result.put("messages", messages);
      results.add(result);
    }
    System.out.println(new GsonBuilder().serializeNulls().disableHtmlEscaping().create().toJson(results));
  }

  static Map<String, String> message(String severity, String location, String text) {
    Map<String, String> message = new LinkedHashMap<>();
    message.put("severity", severity);
    message.put("location", location);
    message.put("message", text);
    return message;
  }

  static FhirValidator r4CoreValidator() {
    FhirContext context = FhirContext.forR4();
    ValidationSupportChain chain = new ValidationSupportChain(
        new DefaultProfileValidationSupport(context),
        new InMemoryTerminologyServerValidationSupport(context),
        new CommonCodeSystemsTerminologyService(context),
        new SnapshotGeneratingValidationSupport(context));
    FhirInstanceValidator instanceValidator = new FhirInstanceValidator(chain);
    instanceValidator.setAnyExtensionsAllowed(false);
    instanceValidator.setCustomExtensionDomains(OUR_EXTENSION_DOMAIN);
    return context.newValidator().registerValidatorModule(instanceValidator);
  }

  static List<Path> jsonFilesIn(Path directory) throws Exception {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(file -> file.getFileName().toString().endsWith(".json")).sorted().toList();
    }
  }

  /** Null when the file is not a JSON object with a string resourceType (the validator reports why). */
  static String resourceTypeOf(String text) {
    try {
      JsonElement type = JsonParser.parseString(text).getAsJsonObject().get("resourceType");
      return type != null && type.isJsonPrimitive() ? type.getAsString() : null;
    } catch (RuntimeException notAnObject) {
      return null;
    }
  }
}
