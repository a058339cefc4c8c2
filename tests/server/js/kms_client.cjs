// The AWS SDK for JavaScript v3 against a kmsmock server: create a key, encrypt,
// decrypt, sign, verify, and catch a NotFoundException. Prints one JSON line of results.
// Usage: node kms_client.cjs ENDPOINT_URL (with @aws-sdk/client-kms on NODE_PATH).
"use strict";

const {
  KMSClient,
  CreateKeyCommand,
  EncryptCommand,
  DecryptCommand,
  SignCommand,
  VerifyCommand,
  DescribeKeyCommand,
  NotFoundException,
} = require("@aws-sdk/client-kms");

async function main(endpoint) {
  const client = new KMSClient({
    endpoint,
    region: "eu-west-1",
    credentials: { accessKeyId: "AKIANODEJS", secretAccessKey: "node-secret" },
  });
  const out = {};
  const key = await client.send(new CreateKeyCommand({ Description: "from node" }));
  out.keyArn = key.KeyMetadata.Arn;
  const encrypted = await client.send(
    new EncryptCommand({ KeyId: key.KeyMetadata.KeyId, Plaintext: Buffer.from("hello from node") })
  );
  const decrypted = await client.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));
  out.plaintext = Buffer.from(decrypted.Plaintext).toString();
  out.decryptKeyId = decrypted.KeyId;

  const signing = await client.send(
    new CreateKeyCommand({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" })
  );
  out.signingKeyId = signing.KeyMetadata.KeyId;
  const message = Buffer.from("signed by node");
  const signed = await client.send(
    new SignCommand({ KeyId: out.signingKeyId, Message: message, SigningAlgorithm: "ECDSA_SHA_256" })
  );
  out.signature = Buffer.from(signed.Signature).toString("base64");
  const verified = await client.send(
    new VerifyCommand({
      KeyId: out.signingKeyId,
      Message: message,
      Signature: signed.Signature,
      SigningAlgorithm: "ECDSA_SHA_256",
    })
  );
  out.signatureValid = verified.SignatureValid;

  try {
    await client.send(new DescribeKeyCommand({ KeyId: "alias/missing" }));
    out.notFound = null;
  } catch (error) {
    out.notFound = {
      name: error.name,
      message: error.message,
      isNotFoundException: error instanceof NotFoundException,
      status: error.$metadata.httpStatusCode,
    };
  }
  console.log(JSON.stringify(out));
}

main(process.argv[2]).catch((error) => {
  console.error(error);
  process.exit(1);
});
