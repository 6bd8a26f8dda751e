// Drives the Greeter through hardhat-ethers and hardhat-chai-matchers against
// whatever node the selected network points at (normally Wabei).
const { expect } = require("chai");
const { ethers } = require("hardhat");

describe("Greeter over JSON-RPC", function () {
  let greeter;
  let owner;

  before(async function () {
    [owner] = await ethers.getSigners();
    greeter = await ethers.deployContract("Greeter", ["hello"]);
    await greeter.waitForDeployment();
  });

  it("deploys and reads the initial greeting", async function () {
    expect(await ethers.provider.getCode(await greeter.getAddress())).to.not.equal("0x");
    expect(await greeter.greet()).to.equal("hello");
  });

  it("emits GreetingChanged with the old and new greeting", async function () {
    // Wait for the receipt first: .to.emit reads it once, without waiting,
    // which only works where the node automines (a devnet, not a network).
    const tx = await greeter.setGreeting("hola");
    await tx.wait();
    await expect(tx)
      .to.emit(greeter, "GreetingChanged")
      .withArgs(owner.address, "hello", "hola");
    expect(await greeter.greet()).to.equal("hola");
  });

  it("surfaces a require reason string", async function () {
    await expect(greeter.fail()).to.be.revertedWith("Greeter: always fails");
  });

  it("surfaces a custom error with its arguments", async function () {
    const tooLong = "x".repeat(40);
    await expect(greeter.setGreeting(tooLong))
      .to.be.revertedWithCustomError(greeter, "GreeterGreetingTooLong")
      .withArgs(40, 32);
    expect(await greeter.greet()).to.equal("hola");
  });

  it("reports the dev chain's funded account", async function () {
    expect(await ethers.provider.getBalance(owner.address)).to.be.greaterThan(0n);
  });
});
