package io.freightline.engine.it;

import io.freightline.testsupport.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

/** The pipeline web view: the page, its script and styles, and the whoami call it uses to pick its buttons. */
@QuarkusTest
@TestProfile(EngineTestProfile.class)
@QuarkusTestResource(KafkaTestResource.class)
class PipelineViewTest {

    @BeforeEach
    void ready() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
    }

    @Test
    void thePageRendersWithoutATokenAndHoldsNoData() {
        given().get("/").then().statusCode(200)
                .contentType(containsString("text/html"))
                .header("Content-Security-Policy", allOf(containsString("script-src 'self'"), containsString("connect-src 'self'")))
                .header("Referrer-Policy", equalTo("no-referrer"))
                .header("Cache-Control", equalTo("no-store"))
                .body(allOf(containsString("<title>Freightline"), containsString("src=\"/ui/app.js\""),
                        containsString("href=\"/ui/app.css\""), containsString("id=\"signin-form\""),
                        containsString("data-poll-ms=\"1000\""), containsString("data-api=\"/api/v1\""),
                        // the shell is the same for everyone: no project data, no inline script
                        not(containsString("<script>")), not(containsString("staging"))));
    }

    @Test
    void scriptAndStylesAreServed() {
        given().get("/ui/app.js").then().statusCode(200).contentType(containsString("javascript"))
                .body(allOf(containsString("sessionStorage"), containsString("Authorization"), containsString("/whoami")));
        given().get("/ui/app.css").then().statusCode(200).contentType(containsString("text/css"))
                .body(containsString(".node"));
    }

    @Test
    void whoamiNamesTheRolePerProjectButNeverTheToken() {
        given().get("/api/v1/whoami").then().statusCode(401);
        given().auth().oauth2("wrong").get("/api/v1/whoami").then().statusCode(401);
        given().auth().oauth2(EngineTestProfile.VIEWER).get("/api/v1/whoami").then().statusCode(200)
                .body("projects.demo", equalTo("viewer"))
                .body("subject", containsString("viewer#"))
                .body("grants.role", hasItem("viewer"))
                .body("grants[0].project", nullValue())
                .body(not(containsString(EngineTestProfile.VIEWER)));
        given().auth().oauth2(EngineTestProfile.PROMOTER).get("/api/v1/whoami").then().statusCode(200)
                .body("projects.demo", equalTo("promoter"));
        given().auth().oauth2(EngineTestProfile.ADMIN).get("/api/v1/whoami").then().statusCode(200)
                .body("projects.demo", equalTo("admin"));
        // a project-scoped admin: admin in its project, nothing in the others
        given().auth().oauth2(EngineTestProfile.OTHER).get("/api/v1/whoami").then().statusCode(200)
                .body("grants[0].project", equalTo("other"))
                .body("projects.demo", nullValue());
    }
}
